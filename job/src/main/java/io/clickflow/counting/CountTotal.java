package io.clickflow.counting;

/** The {@link Total} POJO of jobs that have no older state to stay compatible with (analytics). */
public class CountTotal implements Total<CountProgress> {
    public long[] shardUsers;
    public byte[] union;
    public long[] shardCounters;
    public CountProgress progress = new CountProgress();

    public CountTotal() {}

    @Override
    public CountProgress progress() {
        return progress;
    }

    @Override
    public long[] shardUsers() {
        return shardUsers;
    }

    @Override
    public void shardUsers(long[] shardUsers) {
        this.shardUsers = shardUsers;
    }

    @Override
    public byte[] union() {
        return union;
    }

    @Override
    public void union(byte[] union) {
        this.union = union;
    }

    @Override
    public long[] shardCounters() {
        return shardCounters;
    }

    @Override
    public void shardCounters(long[] shardCounters) {
        this.shardCounters = shardCounters;
    }
}
