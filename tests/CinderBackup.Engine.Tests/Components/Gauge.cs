namespace CinderBackup.Engine.Tests;

/// <summary>A count that threads raise and lower, and the highest it reached: how many things were at once.</summary>
internal sealed class Gauge
{
    private int _now;
    private int _peak;

    public int Now => Volatile.Read(ref _now);

    public int Peak => Volatile.Read(ref _peak);

    public void Up()
    {
        var now = Interlocked.Increment(ref _now);
        for (var seen = Volatile.Read(ref _peak); now > seen; seen = Volatile.Read(ref _peak))
        {
            if (Interlocked.CompareExchange(ref _peak, now, seen) == seen)
            {
                return;
            }
        }
    }

    public void Down() => Interlocked.Decrement(ref _now);
}
