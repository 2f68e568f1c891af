package io.clickflow.analytics;

import io.clickflow.decode.Decoded;
import io.clickflow.decode.JsonEventDecoder;
import io.clickflow.tables.AnalyticsEvent;
import io.clickflow.tables.EventTimes;

import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * Decodes the records API servers write ({@link AnalyticsEvent}): root-level {@code user} (string), {@code
 * timestamp} (epoch milliseconds, an integer) and {@code action} ({@code click} or {@code impression}; anything
 * else is a rejection naming it), and the optional {@code id} (the POST's idempotency key; a string, else a
 * rejection). A fresh read's fence ({@link AnalyticsEvent#fenceJson}) becomes a {@link UserAction#fence}.
 */
public final class UserActionDecoder extends JsonEventDecoder<UserAction> {
    private static final long serialVersionUID = 1L;

    /** Flink's type of this decoder's output, resolved once so no operator falls back to Kryo. */
    public static final TypeInformation<Decoded<UserAction>> TYPE =
            TypeInformation.of(new TypeHint<Decoded<UserAction>>() {});

    /** The most partitions a fence may name: Kafka's practical limit per topic is far below. */
    static final int MAX_FENCE_PARTITIONS = 100_000;

    /** The stream name in rejected_events and late_events. */
    public static final String STREAM = "analytics_event";

    public UserActionDecoder() {
        super(STREAM, TimeField.TIMESTAMP, new String[] {AnalyticsEvent.USER, AnalyticsEvent.ACTION}, new String[] {
            AnalyticsEvent.ID, AnalyticsEvent.FENCE
        });
    }

    @Override
    protected UserAction build(String[] ids, long eventTime) {
        String action = ids[1];
        if (action.equals(AnalyticsEvent.CLICK)) {
            return new UserAction(ids[0], eventTime, true, ids[2]);
        }
        if (action.equals(AnalyticsEvent.IMPRESSION)) {
            return new UserAction(ids[0], eventTime, false, ids[2]);
        }
        if (action.equals(AnalyticsEvent.FENCE_ACTION)) {
            return UserAction.fence(ids[0], eventTime, fencePartitions(ids[3]));
        }
        // Thrown inside decode: the record becomes a rejection with this reason.
        throw new IllegalArgumentException(
                "action must be click or impression, not '" + EventTimes.abbreviate(action) + "'");
    }

    /** The partition count of a fence's {@code "p/P"}; thrown (a rejection) when it is missing or not such a pair. */
    private static int fencePartitions(String fence) {
        if (fence == null) {
            throw new IllegalArgumentException("a fence record needs \"fence\":\"PARTITION/PARTITIONS\"");
        }
        int slash = fence.indexOf('/');
        try {
            int partition = Integer.parseInt(fence.substring(0, Math.max(0, slash)));
            int partitions = Integer.parseInt(fence.substring(slash + 1));
            if (partition >= 0 && partition < partitions && partitions <= MAX_FENCE_PARTITIONS) {
                return partitions;
            }
        } catch (NumberFormatException e) {
            // the message below says what is expected
        }
        throw new IllegalArgumentException("fence must be PARTITION/PARTITIONS (0 <= PARTITION < PARTITIONS <= "
                + MAX_FENCE_PARTITIONS + "), not '" + EventTimes.abbreviate(fence) + "'");
    }
}
