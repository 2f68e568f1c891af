package io.clickflow.attribution;

import io.clickflow.io.LineFiles;
import io.clickflow.testing.KafkaTestBroker;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Generated events written to a clicks file and a page-views file, with what each line means. */
public final class GeneratedInput {
    public final List<ClickstreamGenerator.Event> events = new ArrayList<>();
    public final List<AdClick> clicks = new ArrayList<>();
    public final List<PageView> views = new ArrayList<>();
    /** {@code file name + ":" + line number} of every malformed line. */
    public final Set<String> malformedPositions = new HashSet<>();

    public Path clicksFile;
    public Path viewsFile;

    public static GeneratedInput generate(ClickstreamGenerator.Config config, int count) {
        GeneratedInput in = new GeneratedInput();
        ClickstreamGenerator generator = new ClickstreamGenerator(config);
        for (int i = 0; i < count; i++) {
            ClickstreamGenerator.Event e = generator.next();
            in.events.add(e);
            if (e.click() != null) {
                in.clicks.add(e.click());
            }
            if (e.view() != null) {
                in.views.add(e.view());
            }
        }
        return in;
    }

    /** Writes both files; a {@code .gz} name is compressed. */
    public GeneratedInput writeFiles(Path clicksFile, Path viewsFile) throws IOException {
        this.clicksFile = clicksFile;
        this.viewsFile = viewsFile;
        try (BufferedWriter c = LineFiles.writer(clicksFile);
                BufferedWriter v = LineFiles.writer(viewsFile)) {
            long clickLine = 0;
            long viewLine = 0;
            for (ClickstreamGenerator.Event e : events) {
                boolean isClick = e.isClick();
                long line = isClick ? ++clickLine : ++viewLine;
                (isClick ? c : v).write(e.json());
                (isClick ? c : v).write('\n');
                if (e.malformed()) {
                    malformedPositions.add((isClick ? clicksFile : viewsFile).getFileName() + ":" + line);
                }
            }
        }
        return this;
    }

    public long malformedCount() {
        return events.stream().filter(ClickstreamGenerator.Event::malformed).count();
    }

    /** Ids of the events {@link #flushMessages} adds (on Kafka); tests drop their rows before comparing. */
    public static final String FLUSH_PREFIX = "flush-";

    /** Every generated record, keyed by user, on partition {@code hash(user) mod partitions} of its topic. */
    public static List<KafkaTestBroker.Message> messages(
            GeneratedInput input, String clicksTopic, String viewsTopic, int partitions) {
        List<KafkaTestBroker.Message> messages = new ArrayList<>();
        for (ClickstreamGenerator.Event e : input.events) {
            messages.add(new KafkaTestBroker.Message(
                    e.isClick() ? clicksTopic : viewsTopic,
                    Math.floorMod(e.userId().hashCode(), partitions),
                    e.userId(),
                    e.json().getBytes(StandardCharsets.UTF_8)));
        }
        return messages;
    }

    /**
     * A click and a view on each of the first {@code partitions} partitions, an hour after the last
     * generated event: they move every partition's watermark past all real events of an unbounded run.
     */
    public static List<KafkaTestBroker.Message> flushMessages(
            GeneratedInput input, String clicksTopic, String viewsTopic, int partitions) {
        long later = input.events.stream()
                        .mapToLong(e ->
                                e.click() != null ? e.click().eventTime : e.view() != null ? e.view().eventTime : 0)
                        .max()
                        .orElseThrow()
                + Duration.ofHours(1).toMillis();
        List<KafkaTestBroker.Message> messages = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            String user = FLUSH_PREFIX + p;
            messages.add(new KafkaTestBroker.Message(
                    clicksTopic,
                    p,
                    user,
                    ("{\"click_id\":\"" + FLUSH_PREFIX + "c" + p + "\",\"user_id\":\"" + user
                                    + "\",\"campaign_id\":\"none\",\"event_time\":" + later + "}")
                            .getBytes(StandardCharsets.UTF_8)));
            messages.add(new KafkaTestBroker.Message(
                    viewsTopic,
                    p,
                    user,
                    ("{\"page_view_id\":\"" + FLUSH_PREFIX + "pv" + p + "\",\"user_id\":\"" + user
                                    + "\",\"event_time\":" + later + "}")
                            .getBytes(StandardCharsets.UTF_8)));
        }
        return messages;
    }
}
