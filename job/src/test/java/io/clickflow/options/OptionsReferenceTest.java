package io.clickflow.options;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.OptionSpec;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The option tables of {@code docs/options.md} are generated from the commands themselves: each sits between
 * {@code <!-- options:NAME -->} markers and must equal what the command declares. After changing an option, run
 * {@code mvn test -pl tables,job -Dtest=OptionsReferenceTest -Dclickflow.writeDocs=true} to write them anew.
 */
class OptionsReferenceTest {
    static final Path DOCS = Path.of("..", "docs", "options.md");
    static final Pattern SECTION =
            Pattern.compile("(<!-- options:([\\w-]+) -->\\n)(.*?)(<!-- /options:\\2 -->)", Pattern.DOTALL);

    @Test
    void theOptionTablesAreTheCommandsOwn() throws Exception {
        String docs = Files.readString(DOCS, StandardCharsets.UTF_8);
        Map<String, CommandLine> commands = commands();
        StringBuilder written = new StringBuilder();
        Matcher m = SECTION.matcher(docs);
        int sections = 0;
        while (m.find()) {
            CommandLine command = commands.get(m.group(2));
            assertThat(command)
                    .as("docs/options.md names a command that exists: " + m.group(2))
                    .isNotNull();
            m.appendReplacement(written, Matcher.quoteReplacement(m.group(1) + table(command) + m.group(4)));
            sections++;
        }
        m.appendTail(written);
        for (Map.Entry<String, CommandLine> e : commands.entrySet()) {
            if (!e.getValue().getCommandSpec().options().stream().allMatch(o -> o.usageHelp() || o.versionHelp())) {
                assertThat(docs)
                        .as("docs/options.md has a generated table for " + e.getKey())
                        .contains("<!-- options:" + e.getKey() + " -->");
            }
        }
        if (Boolean.getBoolean("clickflow.writeDocs")) {
            Files.writeString(DOCS, written.toString(), StandardCharsets.UTF_8);
        }
        assertThat(sections).isPositive();
        assertThat(docs)
                .as("docs/options.md is generated from the commands (see this test's Javadoc to write it anew)")
                .isEqualTo(written.toString());
    }

    /** Every command by its section name: {@code demo}, and {@code demo-analytics} for {@code demo analytics}. */
    static Map<String, CommandLine> commands() {
        Map<String, CommandLine> all = new LinkedHashMap<>();
        for (CommandLine c : CliTest.commands()) {
            all.put(c.getCommandSpec().qualifiedName("-").substring("clickflow-".length()), c);
        }
        return all;
    }

    /** A markdown table of a command's options: name and value, what it does, its default. */
    static String table(CommandLine command) {
        IDefaultValueProvider provider = command.getCommandSpec().defaultValueProvider();
        StringBuilder t = new StringBuilder("| option | meaning (default) |\n|---|---|\n");
        for (OptionSpec o : command.getCommandSpec().options()) {
            if (o.usageHelp() || o.versionHelp()) {
                continue;
            }
            String value = o.arity().max() == 0 ? "" : " " + o.paramLabel();
            String provided;
            try {
                provided = provider == null ? null : provider.defaultValue(o);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            String def = provided != null ? provided : o.defaultValue();
            String text = String.join(" ", o.description()).replace("|", "\\|");
            t.append("| `")
                    .append(o.longestName())
                    .append(value)
                    .append("` | ")
                    .append(text)
                    .append(def == null || def.isEmpty() ? "" : " (default: " + def + ")")
                    .append(" |\n");
        }
        return t.toString();
    }
}
