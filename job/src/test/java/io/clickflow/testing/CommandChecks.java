package io.clickflow.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.ClickflowRun;

import picocli.CommandLine;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.OptionSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The checks every command tree passes, the job jar's ({@code ./clickflow}) and the demo's: each option's default in
 * its help, each option in the docs, each required option named when missing or misspelt, and the option tables of
 * {@code docs/options.md} generated from the commands themselves.
 */
public final class CommandChecks {
    static final Path DOCS = Path.of("..", "docs", "options.md");
    static final Pattern SECTION =
            Pattern.compile("(<!-- options:([\\w-]+) -->\\n)(.*?)(<!-- /options:\\2 -->)", Pattern.DOTALL);

    private CommandChecks() {}

    /** Every subcommand of {@code root} and theirs ({@code demo analytics}), depth first. */
    public static List<CommandLine> commands(CommandLine root) {
        List<CommandLine> all = new ArrayList<>();
        addSubcommands(root, all);
        return all;
    }

    private static void addSubcommands(CommandLine parent, List<CommandLine> all) {
        for (CommandLine c : parent.getSubcommands().values()) {
            all.add(c);
            addSubcommands(c, all);
        }
    }

    public static void everyOptionHasItsDefaultInTheHelp(List<CommandLine> commands) throws Exception {
        for (CommandLine command : commands) {
            String help = command.getUsageMessage();
            IDefaultValueProvider provider = command.getCommandSpec().defaultValueProvider();
            for (OptionSpec option : command.getCommandSpec().options()) {
                String provided = provider == null ? null : provider.defaultValue(option);
                String value = provided != null ? provided : option.defaultValue();
                if (value != null) {
                    assertThat(help)
                            .as(command.getCommandName() + " " + option.longestName())
                            .contains("Default: " + value);
                }
            }
        }
    }

    /** Every option of every command is named in docs/ or the README. */
    public static void theDocsDescribeEveryOption(List<CommandLine> commands) throws IOException {
        String docs;
        try (Stream<Path> files = Files.list(Path.of("..", "docs"))) {
            List<Path> all = new ArrayList<>(
                    files.filter(p -> p.toString().endsWith(".md")).sorted().toList());
            all.add(Path.of("..", "README.md"));
            StringBuilder text = new StringBuilder();
            for (Path p : all) {
                text.append(Files.readString(p));
            }
            docs = text.toString();
        }
        for (CommandLine command : commands) {
            for (OptionSpec option : command.getCommandSpec().options()) {
                if (!option.usageHelp() && !option.versionHelp()) {
                    assertThat(docs)
                            .as("docs describe " + command.getCommandName() + " " + option.longestName())
                            .contains("`" + option.longestName());
                }
            }
        }
    }

    /**
     * Every command with a required option says so when it is missing, and names it for a typo, each in the one line
     * clickflow refuses with; run through a new {@code tree} each time, as the user types it.
     *
     * @return how many required options were checked
     */
    public static int requiredOptionsAreNamed(Supplier<CommandLine> tree, List<CommandLine> commands) {
        CommandLine root = tree.get();
        int required = 0;
        for (CommandLine command : commands) {
            String qualified = command.getCommandSpec().qualifiedName(" ");
            String own =
                    qualified.substring(root.getCommandSpec().name().length()).trim();
            String[] name = own.isEmpty() ? new String[0] : own.split(" ");
            String said = (qualified.startsWith("clickflow") ? qualified : "clickflow " + qualified) + ": ";
            for (OptionSpec option : command.getCommandSpec().requiredArgs().stream()
                    .filter(a -> a instanceof OptionSpec)
                    .map(a -> (OptionSpec) a)
                    .toList()) {
                required++;
                assertThat(ClickflowRun.run(tree, name).err()).startsWith(said).contains(option.longestName() + " ");
                String typo =
                        option.longestName().substring(0, option.longestName().length() - 1);
                String[] args =
                        Stream.concat(Stream.of(name), Stream.of(typo, "x")).toArray(String[]::new);
                assertThat(ClickflowRun.run(tree, args))
                        .isEqualTo(new ClickflowRun(
                                2,
                                "",
                                said + "unknown option " + typo + " (did you mean " + option.longestName() + "?)\n"));
            }
        }
        return required;
    }

    /**
     * The sections of docs/options.md that {@code mine} names, each the table of its command in {@code commands}
     * (by section name: {@code demo-analytics} for {@code demo analytics}); every command of {@code commands} with
     * options has its section. With {@code -Dclickflow.writeDocs=true} the file is written anew.
     */
    public static void optionTablesAreTheCommandsOwn(Map<String, CommandLine> commands, Predicate<String> mine)
            throws IOException {
        String docs = Files.readString(DOCS, StandardCharsets.UTF_8);
        StringBuilder written = new StringBuilder();
        Matcher m = SECTION.matcher(docs);
        int sections = 0;
        while (m.find()) {
            if (!mine.test(m.group(2))) {
                continue;
            }
            CommandLine command = commands.get(m.group(2));
            assertThat(command)
                    .as("docs/options.md names a command that exists: " + m.group(2))
                    .isNotNull();
            m.appendReplacement(written, Matcher.quoteReplacement(m.group(1) + table(command) + m.group(4)));
            sections++;
        }
        m.appendTail(written);
        for (Map.Entry<String, CommandLine> e : commands.entrySet()) {
            if (mine.test(e.getKey())
                    && !e.getValue().getCommandSpec().options().stream()
                            .allMatch(o -> o.usageHelp() || o.versionHelp())) {
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
                .as("docs/options.md is generated from the commands (see OptionsReferenceTest's Javadoc to write it)")
                .isEqualTo(written.toString());
    }

    /** Every command by its section name, {@code prefix}-less: {@code demo-analytics} for {@code demo analytics}. */
    public static Map<String, CommandLine> bySection(List<CommandLine> commands, String prefix) {
        Map<String, CommandLine> all = new LinkedHashMap<>();
        for (CommandLine c : commands) {
            String name = c.getCommandSpec().qualifiedName("-");
            all.put(name.startsWith(prefix) ? name.substring(prefix.length()) : name, c);
        }
        return all;
    }

    /** A markdown table of a command's options: name and value, what it does, its default. */
    public static String table(CommandLine command) {
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
