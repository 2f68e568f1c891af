package io.clickflow.route;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Per-tenant counters (records in, routed per destination, dead letters per failure) and lag under
 * {@code tenant=<origin_service_type>}; past {@code maxTenants} distinct tenants in a subtask the rest count
 * as {@link #OTHER}, so a flood of made-up tenant names cannot grow the metrics without bound.
 */
final class RouteMetrics implements Router.Outcome {
    static final String OTHER = "other";
    static final String UNKNOWN = "unknown";

    /** Operator-wide totals, whatever the tenant: what the progress line shows. */
    static final String ROUTED = "routedRecords";

    static final String DEAD_LETTERS = "deadLetterRecords";

    static final String LAG = "lagMillis";

    private final MetricGroup group;
    private final int maxTenants;
    private final Map<String, Tenant> tenants = new HashMap<>();
    private final Map<String, Counter> routedByDestination = new HashMap<>();
    private final Counter deadLetters;
    private final LongSupplier clock;

    /** One tenant's counters, created as they are first needed. */
    private final class Tenant {
        final MetricGroup group;
        final Counter in;
        final Map<String, Counter> routed = new HashMap<>();
        final Map<Router.Failure, Counter> deadLetters = new HashMap<>();
        /**
         * Routing time minus the Kafka timestamp of the tenant's latest record: how far behind its producers this
         * subtask is for the tenant (a transaction adds up to a checkpoint interval before consumers see it).
         */
        volatile long lagMillis;

        Tenant(String name) {
            group = RouteMetrics.this.group.addGroup("tenant", name);
            in = group.counter("recordsIn");
            group.gauge(LAG, (Gauge<Long>) () -> lagMillis);
        }
    }

    RouteMetrics(MetricGroup group, int maxTenants) {
        this(group, maxTenants, System::currentTimeMillis);
    }

    RouteMetrics(MetricGroup group, int maxTenants, LongSupplier clock) {
        this.group = group;
        this.maxTenants = maxTenants;
        this.clock = clock;
        this.deadLetters = group.counter(DEAD_LETTERS);
    }

    private Tenant tenant(Routing routing) {
        String name = routing.tenantType() == null ? UNKNOWN : routing.tenantType();
        Tenant t = tenants.get(name);
        if (t == null) {
            if (tenants.size() >= maxTenants) {
                name = OTHER;
                t = tenants.get(OTHER);
            }
            if (t == null) {
                t = new Tenant(name);
                tenants.put(name, t);
            }
        }
        return t;
    }

    @Override
    public void in(Routing routing, long recordTimestamp) {
        Tenant t = tenant(routing);
        t.in.inc();
        t.lagMillis = clock.getAsLong() - recordTimestamp;
    }

    @Override
    public void routed(Routing routing, String destination) {
        Tenant t = tenant(routing);
        t.routed
                .computeIfAbsent(
                        destination, d -> t.group.addGroup("destination", d).counter("routed"))
                .inc();
        routedByDestination
                .computeIfAbsent(
                        destination, d -> group.addGroup("destination", d).counter(ROUTED))
                .inc();
    }

    @Override
    public void deadLetter(Routing routing, Router.Failure failure) {
        Tenant t = tenant(routing);
        t.deadLetters
                .computeIfAbsent(
                        failure, f -> t.group.addGroup("reason", f.label).counter("deadLetters"))
                .inc();
        deadLetters.inc();
    }
}
