package io.clickflow.commandline;

import picocli.CommandLine;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * clickflow's rules on top of picocli: durations, numbers with {@code _} and enums by their option names
 * ({@code on-watermark}); every mistake is one line naming the option (with "did you mean" for typos)
 * and stops the command before anything starts; help shows every option with its default.
 */
public final class Cli {
    private Cli() {}

    /** The picocli command line of {@code command} (and its subcommands) with clickflow's converters. */
    public static CommandLine commandLine(Object command) {
        return commandLine(new CommandLine(command));
    }

    /** As {@link #commandLine(Object)}, on a command line already made (with subcommands added to it). */
    public static CommandLine commandLine(CommandLine cl) {
        cl.setAbbreviatedOptionsAllowed(false);
        cl.setUsageHelpWidth(110);
        cl.setUsageHelpLongOptionsMaxWidth(34);
        cl.registerConverter(Duration.class, Durations::parse);
        cl.registerConverter(Integer.class, s -> Integer.valueOf(wholeNumber(s)));
        cl.registerConverter(int.class, s -> Integer.valueOf(wholeNumber(s)));
        cl.registerConverter(Long.class, s -> Long.valueOf(wholeNumber(s)));
        cl.registerConverter(long.class, s -> Long.valueOf(wholeNumber(s)));
        registerEnums(cl, cl);
        houseStyle(cl);
        return cl;
    }

    /**
     * Every clickflow command's usage, set here once rather than on each {@code @Command}: {@code --help} and
     * {@code --version} (clickflow's {@link Version} unless the command names its own), defaults shown, options in
     * the order declared, an abbreviated synopsis; on the command and all its subcommands.
     */
    private static void houseStyle(CommandLine cl) {
        CommandSpec spec = cl.getCommandSpec();
        if (!spec.mixinStandardHelpOptions()) {
            spec.mixinStandardHelpOptions(true);
        }
        spec.usageMessage().showDefaultValues(true).sortOptions(false).abbreviateSynopsis(true);
        if (spec.versionProvider() == null) {
            spec.versionProvider(new Version());
        }
        cl.getSubcommands().values().forEach(Cli::houseStyle);
    }

    /**
     * Parses {@code args} into {@code command}'s fields. A typo, a missing value or a value of the wrong
     * form becomes a {@link UsageException} whose message is the one line the user sees.
     */
    public static <T> T parse(T command, String... args) {
        parseArgs(commandLine(command), args);
        return command;
    }

    /** As {@link #parse}, on a command line already made. */
    public static ParseResult parseArgs(CommandLine cl, String... args) {
        try {
            return cl.parseArgs(args);
        } catch (ParameterException e) {
            throw new UsageException(message(e));
        }
    }

    /**
     * Runs a command outside Flink (servers, tools): a refusal, from picocli or a {@link UsageException} thrown
     * while the command starts, is one line {@code clickflow <command>: <reason>} on stderr and exit code 2.
     */
    public static int execute(CommandLine cl, String... args) {
        cl.setParameterExceptionHandler((e, a) -> refuse(e.getCommandLine(), message(e)));
        cl.setExecutionExceptionHandler((e, command, parseResult) -> {
            if (e instanceof UsageException) {
                return refuse(command, e.getMessage());
            }
            throw e;
        });
        return cl.execute(args);
    }

    private static int refuse(CommandLine command, String message) {
        String name = command.getCommandSpec().qualifiedName(" ");
        System.err.println((name.startsWith("clickflow") ? name : "clickflow " + name) + ": " + message);
        return 2;
    }

    /** The option's name in messages and help: {@code ON_WATERMARK} is {@code on-watermark}. */
    public static String name(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Checks a whole number's range, naming the option. */
    public static int range(String option, int value, int min, int max) {
        if (value < min || value > max) {
            throw new UsageException(option + ": must be between " + min + " and " + max + ", not " + value);
        }
        return value;
    }

    /** Checks a fraction between 0 and 1, naming the option. */
    public static double fraction(String option, double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new UsageException(option + ": must be a fraction between 0 and 1, not " + value);
        }
        return value;
    }

    /** An ISO-8601 instant such as {@code 2024-01-01T00:00:00Z}, naming the option when it is not one. */
    public static Instant instant(String option, String value) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new UsageException(option + ": '" + value + "' is not an ISO-8601 instant like 2024-01-01T00:00:00Z");
        }
    }

    /** Was {@code option} given on the command line (not left at its default)? */
    public static boolean given(CommandSpec spec, String option) {
        return spec.commandLine() != null
                && spec.commandLine().getParseResult() != null
                && spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    /** One line for a picocli refusal, in the words the rest of clickflow uses. */
    public static String message(ParameterException e) {
        CommandLine command = e.getCommandLine();
        if (e instanceof CommandLine.UnmatchedArgumentException u
                && !u.getUnmatched().isEmpty()) {
            return unmatched(command, u.getUnmatched().get(0), u.getSuggestions());
        }
        if (e instanceof CommandLine.MissingParameterException m
                && !m.getMissing().isEmpty()) {
            // A typo of a required option (--destination for --destinations) leaves it missing; picocli reports
            // the missing option, but the typo is what the user has to fix.
            List<String> unknown = command == null ? List.of() : command.getUnmatchedArguments();
            if (!unknown.isEmpty()) {
                return unmatched(command, unknown.get(0), List.of());
            }
            ArgSpec missing = m.getMissing().get(0);
            if (missing instanceof OptionSpec o) {
                String text = m.getMessage() == null ? "" : m.getMessage();
                // picocli's two cases: the option is absent ("Missing required option") or it is the last
                // argument and its value is absent ("Missing required parameter for option").
                if (text.startsWith("Missing required option")) {
                    return m.getMissing().stream()
                                    .map(a -> a instanceof OptionSpec r
                                            ? r.longestName() + " " + r.paramLabel()
                                            : a.paramLabel())
                                    .collect(Collectors.joining(" and "))
                            + (m.getMissing().size() == 1 ? " is required" : " are required");
                }
                return o.longestName() + " needs a value " + o.paramLabel();
            }
            return "missing " + missing.paramLabel();
        }
        ArgSpec arg = e.getArgSpec();
        String text = e.getMessage();
        if (arg instanceof OptionSpec o && e.getCause() != null && e.getCause().getMessage() != null) {
            return o.longestName() + ": " + e.getCause().getMessage();
        }
        if (arg instanceof OptionSpec o && text != null && text.startsWith("Invalid value for option")) {
            int colon = text.indexOf("': ");
            return o.longestName() + ": " + (colon >= 0 ? text.substring(colon + 3) : text);
        }
        return text == null ? e.toString() : text.replace('\n', ' ').trim();
    }

    /** An unknown option (with the nearest known one) or command, or an argument where none is taken. */
    private static String unmatched(CommandLine command, String arg, List<String> picocliSuggestions) {
        boolean option = arg.startsWith("-");
        // Every name of the command, not only picocli's guesses (which miss swapped letters: --prot).
        List<String> suggestions = new ArrayList<>(picocliSuggestions);
        suggestions.addAll(
                option
                        ? command.getCommandSpec().optionsMap().keySet()
                        : command.getSubcommands().keySet());
        if (!option && command.getSubcommands().isEmpty()) {
            return "unexpected argument '" + arg + "' (options start with --)";
        }
        String what = option ? "unknown option " + arg.replaceFirst("=.*", "") : "unknown command '" + arg + "'";
        String nearest = nearest(arg.replaceFirst("=.*", ""), suggestions);
        if (nearest != null) {
            return what + " (did you mean " + nearest + "?)";
        }
        if (!option) {
            return what + "; commands: "
                    + String.join(", ", command.getSubcommands().keySet());
        }
        return what;
    }

    /** Picocli suggests every candidate it finds; clickflow names one near miss, or none. */
    private static String nearest(String typed, List<String> candidates) {
        String best = null;
        int bestDistance = 3; // only near misses: a typo, not another option
        for (String known : candidates) {
            int d = editDistance(typed, known);
            if (d < bestDistance) {
                bestDistance = d;
                best = known;
            }
        }
        return best;
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static String wholeNumber(String s) {
        String digits = s.replace("_", "");
        try {
            Long.parseLong(digits);
            return digits;
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + s + "' is not a whole number");
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void registerEnums(CommandLine root, CommandLine cl) {
        for (OptionSpec o : cl.getCommandSpec().options()) {
            if (o.type().isEnum()) {
                Class type = o.type();
                root.registerConverter(type, s -> enumValue(type, s));
            }
        }
        for (CommandLine sub : cl.getSubcommands().values()) {
            registerEnums(root, sub);
        }
    }

    private static <E extends Enum<E>> E enumValue(Class<E> type, String s) {
        for (E value : type.getEnumConstants()) {
            if (name(value).equals(s.toLowerCase(Locale.ROOT))) {
                return value;
            }
        }
        throw new CommandLine.TypeConversionException("must be " + choices(type) + ", not '" + s + "'");
    }

    /** {@code on-watermark or update}, {@code committed, earliest or latest}. */
    static <E extends Enum<E>> String choices(Class<E> type) {
        List<String> names =
                List.of(type.getEnumConstants()).stream().map(Cli::name).collect(Collectors.toList());
        return names.size() == 1
                ? names.get(0)
                : String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
    }

    /**
     * {@code --version}: clickflow's version and the libraries it was built with, from a properties file the build
     * fills in ({@code name}, {@code version}, {@code built-with}); the job jar's by default, a module of its own
     * (serve) names its file.
     */
    public static class Version implements IVersionProvider {
        private final String resource;

        public Version() {
            this("/clickflow-version.properties");
        }

        protected Version(String resource) {
            this.resource = resource;
        }

        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = Cli.class.getResourceAsStream(resource)) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {
                p.getProperty("name", "clickflow") + " " + p.getProperty("version", "unknown") + " ("
                        + p.getProperty("built-with", "?") + ")"
            };
        }
    }
}
