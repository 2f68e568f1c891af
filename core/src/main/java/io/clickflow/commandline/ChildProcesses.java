package io.clickflow.commandline;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** How clickflow starts the child processes it stops itself, in order (a demo's broker, servers and jobs). */
public final class ChildProcesses {
    private static final Path SH = Path.of("/bin/sh");

    private ChildProcesses() {}

    /**
     * {@code command} run with SIGINT ignored. Ctrl-C in a terminal signals every process of the foreground group: the
     * children would stop at once, by themselves, the broker before the servers that still send to it, the servers
     * before the load on them. Ignoring it leaves the order to the demo, which stops each with SIGTERM; a JVM started
     * with SIGINT ignored leaves it ignored. Where there is no /bin/sh the command runs as given.
     */
    public static List<String> ignoringCtrlC(List<String> command) {
        if (!Files.isExecutable(SH)) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(List.of(SH.toString(), "-c", "trap '' INT; exec \"$@\"", "sh"));
        wrapped.addAll(command);
        return wrapped;
    }
}
