package io.clickflow.testing;

import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.UsageMessageSpec;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code --help} prints for a command and each of its subcommands, and what is wrong with it: picocli's
 * warnings (an unescaped {@code %} in a description makes it print {@code [picocli WARN] Could not format ...} on
 * stderr) and words of the source text that the wrapping broke in two (a path split at its slash).
 */
public final class HelpTexts {
    private HelpTexts() {}

    /** {@code root} and every command under it, by qualified name ({@code clickflow demo analytics}). */
    public static Map<String, CommandLine> commands(CommandLine root) {
        Map<String, CommandLine> all = new LinkedHashMap<>();
        add(root, all);
        return all;
    }

    private static void add(CommandLine command, Map<String, CommandLine> all) {
        all.put(command.getCommandSpec().qualifiedName(" "), command);
        for (CommandLine sub : command.getSubcommands().values()) {
            add(sub, all);
        }
    }

    /**
     * Every problem of every help under {@code root}, one line each: an empty list is clean help. A header,
     * description, footer or option description (as picocli formats it) that does not appear whole in the help,
     * whitespace aside, had a word broken across lines.
     */
    public static List<String> problems(CommandLine root) {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, CommandLine> e : commands(root).entrySet()) {
            // picocli's tracer writes to whatever System.err is when it warns: while rendering the help, and
            // while formatting an option's description (ArgSpec.description()).
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            PrintStream old = System.err;
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            String help;
            List<String> texts;
            try {
                help = e.getValue().getUsageMessage(CommandLine.Help.Ansi.OFF);
                texts = sourceTexts(e.getValue().getCommandSpec());
            } finally {
                System.setErr(old);
            }
            String warnings = err.toString(StandardCharsets.UTF_8);
            if (!warnings.isBlank()) {
                problems.add(e.getKey() + " --help warns: " + warnings.strip());
            }
            // Wrapping only changes the whitespace between words: with every run of whitespace made one space,
            // each text must appear whole, else a word (a path, a URL) was split where it has no space.
            String flat = " " + String.join(" ", help.strip().split("\\s+")) + " ";
            for (String source : texts) {
                String text = formatted(source).strip();
                if (text.isEmpty() || text.contains("${")) {
                    continue; // interpolated by picocli; its words are checked in the other texts
                }
                if (!flat.contains(" " + String.join(" ", text.split("\\s+")) + " ")) {
                    problems.add(e.getKey() + " --help breaks a word of '" + text + "' across lines");
                }
            }
        }
        return problems;
    }

    private static List<String> sourceTexts(CommandSpec spec) {
        UsageMessageSpec usage = spec.usageMessage();
        List<String> texts = new ArrayList<>();
        texts.addAll(List.of(usage.header()));
        texts.addAll(List.of(usage.description()));
        texts.addAll(List.of(usage.footer()));
        for (ArgSpec arg : spec.args()) {
            if (!arg.hidden()) {
                texts.addAll(List.of(arg.description()));
            }
        }
        for (CommandLine sub : spec.subcommands().values()) {
            if (!sub.getCommandSpec().usageMessage().hidden()) {
                texts.addAll(List.of(sub.getCommandSpec().usageMessage().header()));
            }
        }
        return texts;
    }

    /** As picocli prints a text: {@code %n} is a line break, {@code %%} a percent sign. */
    private static String formatted(String text) {
        return text.replace("%n", " ").replace("%%", "%");
    }
}
