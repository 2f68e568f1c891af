package io.clickflow.attribution;

import picocli.CommandLine.Option;

/** {@code --clicks-topic} and {@code --page-views-topic}: the topics the job reads and the generator writes. */
public final class AttributionTopics {
    @Option(
            names = "--clicks-topic",
            paramLabel = "TOPIC",
            defaultValue = "ad_clicks",
            description = "Topic of ad clicks.")
    String clicks;

    @Option(
            names = "--page-views-topic",
            paramLabel = "TOPIC",
            defaultValue = "page_views",
            description = "Topic of page views.")
    String pageViews;
}
