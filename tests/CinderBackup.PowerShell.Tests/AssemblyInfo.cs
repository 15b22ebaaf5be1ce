// The module reads CINDERBACKUP_HOME and friends from the process environment, which every test sets for itself:
// tests of this assembly never run in parallel.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
