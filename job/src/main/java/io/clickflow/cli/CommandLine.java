package io.clickflow.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A command's options: declared once with their defaults and help, parsed from {@code --name value},
 * {@code --name=value} or {@code --flag}. Every mistake becomes a {@link UsageException} naming the option.
 */
public final class CommandLine {
    /** One declared option; {@code valueName == null} makes it a flag. */
    public record Option(String name, String valueName, String defaultValue, String help) {}

    private final String command;
    private final String summary;
    private final Map<String, Option> options = new LinkedHashMap<>();
    private final Map<String, String> values = new LinkedHashMap<>();

    public CommandLine(String command, String summary) {
        this.command = command;
        this.summary = summary;
        flag("help", "Show this help and exit.");
    }

    public CommandLine option(String name, String valueName, String defaultValue, String help) {
        options.put(name, new Option(name, valueName, defaultValue, help));
        return this;
    }

    public CommandLine flag(String name, String help) {
        options.put(name, new Option(name, null, null, help));
        return this;
    }

    public CommandLine parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new UsageException("unexpected argument '" + arg + "' (options start with --)");
            }
            String name = arg.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            Option option = options.get(name);
            if (option == null) {
                throw new UsageException("unknown option --" + name + suggestion(name));
            }
            if (option.valueName() == null) {
                if (value != null && !value.equals("true") && !value.equals("false")) {
                    throw new UsageException("--" + name + " is a flag and takes no value");
                }
                values.put(name, value == null ? "true" : value);
                continue;
            }
            if (value == null) {
                if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                    throw new UsageException("--" + name + " needs a value " + option.valueName());
                }
                value = args[++i];
            }
            values.put(name, value);
        }
        return this;
    }

    public boolean helpRequested() {
        return flag("help");
    }

    public boolean isDeclared(String name) {
        return options.containsKey(name);
    }

    public boolean isSet(String name) {
        declared(name);
        return values.containsKey(name);
    }

    public String string(String name) {
        Option o = declared(name);
        return values.getOrDefault(name, o.defaultValue());
    }

    public boolean flag(String name) {
        return Boolean.parseBoolean(values.getOrDefault(name, "false"));
    }

    public <T> T get(String name, Function<String, T> parser) {
        String raw = string(name);
        if (raw == null) {
            return null;
        }
        try {
            return parser.apply(raw);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--" + name + ": " + e.getMessage());
        }
    }

    public int integer(String name, int min, int max) {
        return get(name, s -> {
            try {
                int v = Integer.parseInt(s.replace("_", ""));
                if (v < min || v > max) {
                    throw new IllegalArgumentException("must be between " + min + " and " + max + ", not " + v);
                }
                return v;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + s + "' is not a whole number");
            }
        });
    }

    public long longValue(String name, long min) {
        return get(name, s -> {
            try {
                long v = Long.parseLong(s.replace("_", ""));
                if (v < min) {
                    throw new IllegalArgumentException("must be at least " + min + ", not " + v);
                }
                return v;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + s + "' is not a whole number");
            }
        });
    }

    public double fraction(String name) {
        return get(name, s -> {
            try {
                double v = Double.parseDouble(s);
                if (!(v >= 0 && v <= 1)) {
                    throw new IllegalArgumentException("must be a fraction between 0 and 1, not " + s);
                }
                return v;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + s + "' is not a number");
            }
        });
    }

    public Duration duration(String name) {
        return get(name, CommandLine::parseDuration);
    }

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)?");

    /** {@code 0}, {@code 500ms}, {@code 5s}, {@code 30m}, {@code 2h}, {@code 1d}. */
    public static Duration parseDuration(String s) {
        Matcher m = DURATION.matcher(s.trim().toLowerCase(Locale.ROOT));
        if (!m.matches() || (m.group(2) == null && !m.group(1).equals("0"))) {
            throw new IllegalArgumentException("'" + s + "' is not a duration (e.g. 500ms, 5s, 30m, 2h, 1d)");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        switch (unit) {
            case "ms": return Duration.ofMillis(n);
            case "s": return Duration.ofSeconds(n);
            case "m": return Duration.ofMinutes(n);
            case "h": return Duration.ofHours(n);
            default: return Duration.ofDays(n);
        }
    }

    public static String formatDuration(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) {
            return "0";
        }
        if (ms % 86_400_000 == 0) return ms / 86_400_000 + "d";
        if (ms % 3_600_000 == 0) return ms / 3_600_000 + "h";
        if (ms % 60_000 == 0) return ms / 60_000 + "m";
        if (ms % 1000 == 0) return ms / 1000 + "s";
        return ms + "ms";
    }

    public String help() {
        StringBuilder sb = new StringBuilder();
        sb.append("Usage: ./clickflow ").append(command).append(" [options]\n\n").append(summary).append("\n\nOptions:\n");
        for (Option o : options.values()) {
            String left = "  --" + o.name() + (o.valueName() == null ? "" : " " + o.valueName());
            sb.append(left);
            sb.append(left.length() < 32 ? " ".repeat(32 - left.length()) : "\n" + " ".repeat(32));
            sb.append(o.help());
            if (o.defaultValue() != null) {
                sb.append(" (default: ").append(o.defaultValue()).append(")");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** The declared options, for documentation checks. */
    public List<Option> options() {
        return new ArrayList<>(options.values());
    }

    private Option declared(String name) {
        Option o = options.get(name);
        if (o == null) {
            throw new IllegalStateException("option --" + name + " is not declared for " + command);
        }
        return o;
    }

    private String suggestion(String name) {
        String best = null;
        int bestDistance = 3; // only near misses: a typo, not another option
        for (String known : options.keySet()) {
            int d = editDistance(name, known);
            if (d < bestDistance) {
                bestDistance = d;
                best = known;
            }
        }
        return best == null ? "" : " (did you mean --" + best + "?)";
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
}
