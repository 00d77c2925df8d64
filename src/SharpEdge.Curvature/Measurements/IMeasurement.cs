using System.Numerics;

namespace SharpEdge.Curvature.Measurements;

/// <summary>
/// One EoSS measurement (eoss_spec §1, §7): a name, a cadence rule and a function of the training state
/// (design.md, "Measurement registry"). <see cref="Name"/> is kebab-case (<c>lambda-max</c>, as on the command
/// line and in JSON); the stored metric name is its snake_case form (<c>lambda_max</c>,
/// <see cref="MeasurementRegistry.MetricName"/>). A measurement may take one integer argument
/// (<c>top-k=5</c>); <see cref="WithArgument"/> returns a configured copy. Implementations are stateless apart
/// from that argument, so one instance serves every context; the registry finds every concrete class of this
/// assembly that implements the interface, so adding a measurement touches one file.
/// </summary>
public interface IMeasurement
{
    /// <summary>The kebab-case name, e.g. <c>batch-sharpness</c>.</summary>
    string Name { get; }

    /// <summary>One line: what is measured, in formula form.</summary>
    string Summary { get; }

    /// <summary>What the context must supply beyond the model, data and parameters.</summary>
    MeasurementNeeds Needs { get; }

    /// <summary>When a trainer takes this measurement (HEAD defaults, eoss_spec §8.1).</summary>
    Cadence Cadence { get; }

    /// <summary>The integer argument (<c>k</c> of <c>top-k=k</c>), or null when the measurement takes none.</summary>
    MeasurementArgument? Argument => null;

    /// <summary>The argument's current value (its default until <see cref="WithArgument"/>).</summary>
    int? ArgumentValue => null;

    /// <summary>A copy with the argument set; validated against <see cref="Argument"/>.</summary>
    IMeasurement WithArgument(int value) => throw new ArgumentException($"{Name} takes no argument (got '={value}')");

    /// <summary>Takes the measurement at the context's parameters θ.</summary>
    MeasurementResult Measure<T>(MeasurementContext<T> context) where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>Inputs a measurement needs from its <see cref="MeasurementContext{T}"/> beyond model, data and θ.</summary>
[Flags]
public enum MeasurementNeeds
{
    None = 0,
    /// <summary>The learning rate η (<see cref="MeasurementContext{T}.LearningRate"/>).</summary>
    LearningRate = 1,
    /// <summary>The batch size b of the Monte-Carlo batches (<see cref="MeasurementContext{T}.BatchSize"/>).</summary>
    BatchSize = 2,
    /// <summary>The batch the next step trains on (<see cref="MeasurementContext{T}.TrainingBatch"/>).</summary>
    TrainingBatch = 4,
    /// <summary>The parameters θ₀ at initialisation (<see cref="MeasurementContext{T}.InitialParameters"/>).</summary>
    InitialParameters = 8,
}

/// <summary>The one integer argument of a measurement: <c>top-k=5</c> has Name "k", Default 5.</summary>
public sealed record MeasurementArgument(string Name, int Default, int Minimum, int Maximum, string Description)
{
    internal int Check(string measurement, int value) => value >= Minimum && value <= Maximum ? value
        : throw new ArgumentException($"{measurement}={value}: {Name} must be an integer in [{Minimum}, {Maximum}] ({Description})");
}
