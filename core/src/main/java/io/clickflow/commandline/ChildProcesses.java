package io.clickflow.commandline;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** How clickflow starts the child processes it stops itself, in order (a demo's broker, servers and jobs), and their ports. */
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

    /**
     * A port free now on every interface, other than {@code taken}, for a child process (or a server of this JVM) to
     * bind a moment later: a race lost only in theory on a machine that is not handing out ports meanwhile.
     */
    public static int freePort(int... taken) throws IOException {
        while (true) {
            try (ServerSocket socket = new ServerSocket(0)) {
                int port = socket.getLocalPort();
                if (Arrays.stream(taken).noneMatch(p -> p == port)) {
                    return port;
                }
            }
        }
    }

    /** The java executable of the running JVM, for a child JVM of the same Java. */
    public static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
