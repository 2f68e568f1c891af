package io.clickflow.route;

/** What the router writes to a destination topic for each record it routes ({@code --output-record}). */
public enum OutputRecord {
    /** The input's value itself, byte for byte (Avro: reframed with the destination subject's id). */
    UNCHANGED,
    /**
     * The seed's ProcessorToConsumer record: origin_service_id, producer_event_timestamp (the input's
     * event_timestamp), processor_event_timestamp (when the router routed it) and payload.
     */
    PROCESSOR_TO_CONSUMER
}
