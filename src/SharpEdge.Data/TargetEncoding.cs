namespace SharpEdge.Data;

/// <summary>How class labels become regression targets for the squared loss (eoss_spec §4.3).</summary>
public enum TargetEncoding
{
    /// <summary><c>F.one_hot(y, classes).float()</c>: one output per class.</summary>
    OneHot,

    /// <summary>The two-class CIFAR-10 set: one output, +1 for the first class and −1 for the second.</summary>
    PlusMinusOne,
}
