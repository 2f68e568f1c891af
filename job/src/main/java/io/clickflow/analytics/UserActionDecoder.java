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
 * rejection).
 */
public final class UserActionDecoder extends JsonEventDecoder<UserAction> {
    private static final long serialVersionUID = 1L;

    /** Flink's type of this decoder's output, resolved once so no operator falls back to Kryo. */
    public static final TypeInformation<Decoded<UserAction>> TYPE =
            TypeInformation.of(new TypeHint<Decoded<UserAction>>() {});

    /** The stream name in rejected_events and late_events. */
    public static final String STREAM = "analytics_event";

    public UserActionDecoder() {
        super(STREAM, TimeField.TIMESTAMP, new String[] {AnalyticsEvent.USER, AnalyticsEvent.ACTION}, new String[] {
            AnalyticsEvent.ID
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
        // Thrown inside decode: the record becomes a rejection with this reason.
        throw new IllegalArgumentException(
                "action must be click or impression, not '" + EventTimes.abbreviate(action) + "'");
    }
}
