package io.clickflow.attribution;

import io.clickflow.io.LineFiles;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Path;
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
}
