namespace SharpEdge.Sweeps.Tests;

public class WorkerFitTests
{
    [Theory]
    [InlineData(2, 100, null, null, 2, 1)]   // the default: one single-threaded task per core
    [InlineData(16, 3, null, null, 3, 1)]    // never more workers than tasks
    [InlineData(2, 100, 1, null, 1, 2)]      // one worker gets every core
    [InlineData(8, 100, null, 4, 2, 4)]      // 4 threads each: two workers fill 8 cores
    [InlineData(2, 100, 4, 2, 4, 2)]         // both given: as asked, even oversubscribed
    [InlineData(1, 0, null, null, 1, 1)]
    public void Workers_times_threads_fill_the_cores(int cores, int tasks, int? workers, int? threads, int expectedWorkers, int expectedThreads) =>
        Assert.Equal((expectedWorkers, expectedThreads), WorkerFit.Choose(cores, tasks, workers, threads));

    [Fact]
    public void Zero_workers_is_an_error() => Assert.Throws<ArgumentException>(() => WorkerFit.Choose(2, 10, 0, null));
}
