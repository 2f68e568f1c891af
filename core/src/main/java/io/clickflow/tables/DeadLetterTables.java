package io.clickflow.tables;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** The dead-letter tables every job keeps what it could not use in: rejected input and late events. */
public final class DeadLetterTables {
    private DeadLetterTables() {}

    public static final String REJECTED_DDL = "CREATE TABLE IF NOT EXISTS rejected_events ("
            + "source TEXT NOT NULL, "
            + "position TEXT NOT NULL, "
            + "stream TEXT NOT NULL, "
            + "reason TEXT NOT NULL, "
            + "payload TEXT, "
            + "PRIMARY KEY (source, position))";

    public static final String LATE_DDL = "CREATE TABLE IF NOT EXISTS late_events ("
            + "stream TEXT NOT NULL, "
            + "event_id TEXT NOT NULL, "
            + "user_id TEXT NOT NULL, "
            + "event_time TEXT NOT NULL, "
            + "watermark TEXT NOT NULL, "
            + "PRIMARY KEY (stream, event_id))";

    /** A job's own tables followed by these two. */
    public static List<String> withDeadLetterTables(String... jobTables) {
        List<String> ddl = new ArrayList<>(List.of(jobTables));
        ddl.add(REJECTED_DDL);
        ddl.add(LATE_DDL);
        // Retention ages late events by when they were seen late; the results page shows the newest that way too.
        ddl.add(UpsertTable.timeIndex(LATE.name(), LATE.timeColumn()));
        return List.copyOf(ddl);
    }

    /** A record is rejected once per position; a replay writes the same row again. */
    public static final String UPSERT_REJECTED =
            "INSERT INTO rejected_events (source, position, stream, reason, payload) VALUES (?, ?, ?, ?, ?) "
                    + "ON CONFLICT (source, position) DO UPDATE SET "
                    + "stream = excluded.stream, reason = excluded.reason, payload = excluded.payload";

    /** Keeps the earliest watermark a late event was seen at, whatever order duplicates arrive in. */
    public static final String UPSERT_LATE =
            "INSERT INTO late_events (stream, event_id, user_id, event_time, watermark) VALUES (?, ?, ?, ?, ?) "
                    + "ON CONFLICT (stream, event_id) DO UPDATE SET "
                    + "user_id = excluded.user_id, event_time = excluded.event_time, watermark = excluded.watermark "
                    + "WHERE excluded.watermark < late_events.watermark";

    public static final UpsertTable<RejectedEvent> REJECTED = new UpsertTable<>(
            "rejected_events",
            REJECTED_DDL,
            UPSERT_REJECTED,
            DeadLetterTables::bindRejected,
            r -> r.source + '\n' + r.position,
            (stored, incoming) -> incoming);

    public static final UpsertTable<LateEvent> LATE = new UpsertTable<>(
                    "late_events",
                    LATE_DDL,
                    UPSERT_LATE,
                    DeadLetterTables::bindLate,
                    e -> e.stream + '\n' + e.eventId,
                    DeadLetterTables::keepLate)
            .agedBy("watermark");

    /** Of two sightings of one late event, the one {@link #UPSERT_LATE} keeps: the earlier watermark. */
    public static LateEvent keepLate(LateEvent stored, LateEvent incoming) {
        return incoming.watermark < stored.watermark ? incoming : stored;
    }

    public static void bindRejected(PreparedStatement ps, RejectedEvent r) throws SQLException {
        ps.setString(1, r.source);
        ps.setString(2, r.position);
        ps.setString(3, r.stream);
        ps.setString(4, r.reason);
        ps.setString(5, r.payload);
    }

    public static void bindLate(PreparedStatement ps, LateEvent late) throws SQLException {
        ps.setString(1, late.stream);
        ps.setString(2, late.eventId);
        ps.setString(3, late.userId);
        ps.setString(4, EventTimes.format(late.eventTime));
        ps.setString(5, EventTimes.format(late.watermark));
    }
}
