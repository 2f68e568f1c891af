package io.clickflow.counting;

/** The {@link Progress} POJO of jobs that have no older state to stay compatible with (analytics). */
public class CountProgress implements Progress {
    public long users;
    public long emittedUsers = -1;
    public boolean updateScheduled;
    public long[] counters;
    public long emittedCounterSum;

    public CountProgress() {}

    @Override
    public long users() {
        return users;
    }

    @Override
    public void users(long users) {
        this.users = users;
    }

    @Override
    public long emittedUsers() {
        return emittedUsers;
    }

    @Override
    public void emittedUsers(long users) {
        this.emittedUsers = users;
    }

    @Override
    public boolean updateScheduled() {
        return updateScheduled;
    }

    @Override
    public void updateScheduled(boolean scheduled) {
        this.updateScheduled = scheduled;
    }

    @Override
    public long[] counters() {
        return counters;
    }

    @Override
    public void counters(long[] counters) {
        this.counters = counters;
    }

    @Override
    public long emittedCounterSum() {
        return emittedCounterSum;
    }

    @Override
    public void emittedCounterSum(long sum) {
        this.emittedCounterSum = sum;
    }
}
