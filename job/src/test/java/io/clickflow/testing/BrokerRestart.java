package io.clickflow.testing;

import io.clickflow.broker.KafkaBroker;
import io.clickflow.commandline.ChildProcesses;

import org.apache.flink.core.execution.JobClient;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * A Kafka broker (a real child process) stopped and started again, on the same ports and data, under a running job:
 * records produced before the restart, the job started, {@link #restartWhen} awaited, the broker restarted, the
 * records after it produced, {@link #doneWhen} awaited; then the test's checks run while the broker still serves,
 * and the job is cancelled and the broker stopped.
 */
public final class BrokerRestart {
    /** Starts the job against the broker's address. */
    public interface JobStart {
        JobClient start(String bootstrapServers) throws Exception;
    }

    /** A test's step with the broker's address, e.g. reading an output topic back. */
    public interface Check {
        void run(String bootstrapServers) throws Exception;
    }

    private final Path dir;
    private final Map<String, Integer> topics = new LinkedHashMap<>();
    private List<KafkaTestBroker.Message> before = List.of();
    private List<KafkaTestBroker.Message> after = List.of();
    private BooleanSupplier restartWhen;
    private String restartWhat;
    private BooleanSupplier doneWhen;
    private String doneWhat;
    private Duration doneWithin = Duration.ofSeconds(180);
    private volatile KafkaBroker broker;

    private BrokerRestart(Path dir) {
        this.dir = dir;
    }

    /** The broker keeps its data in {@code dir/kafka}. */
    public static BrokerRestart in(Path dir) {
        return new BrokerRestart(dir);
    }

    public BrokerRestart topics(int partitions, String... names) {
        for (String name : names) {
            topics.put(name, partitions);
        }
        return this;
    }

    public BrokerRestart before(List<KafkaTestBroker.Message> messages) {
        this.before = messages;
        return this;
    }

    public BrokerRestart after(List<KafkaTestBroker.Message> messages) {
        this.after = messages;
        return this;
    }

    /** The broker is restarted once this holds (within 120 s), e.g. once the job wrote rows. */
    public BrokerRestart restartWhen(BooleanSupplier condition, String what) {
        this.restartWhen = condition;
        this.restartWhat = what;
        return this;
    }

    /** After the restart, the job is done once this holds (within {@code timeout}). */
    public BrokerRestart doneWhen(BooleanSupplier condition, Duration timeout, String what) {
        this.doneWhen = condition;
        this.doneWithin = timeout;
        this.doneWhat = what;
        return this;
    }

    /** The running broker's address (the same before and after the restart), for conditions that read topics. */
    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    public void run(JobStart job, Check whenDone) throws Exception {
        Path kafkaDir = dir.resolve("kafka");
        int port = ChildProcesses.freePort();
        int controllerPort = ChildProcesses.freePort();
        broker = KafkaBroker.start(kafkaDir, ChildJob.kafkaClasspath(), port, controllerPort);
        JobClient running = null;
        try {
            for (Map.Entry<String, Integer> t : topics.entrySet()) {
                broker.createTopic(t.getKey(), t.getValue());
            }
            KafkaTestBroker.produce(broker.bootstrapServers(), new ArrayList<>(before));
            running = job.start(broker.bootstrapServers());
            Waits.until(restartWhen, Duration.ofSeconds(120), restartWhat + " before the broker restart");

            broker.close();
            broker = KafkaBroker.start(kafkaDir, ChildJob.kafkaClasspath(), port, controllerPort);
            KafkaTestBroker.produce(broker.bootstrapServers(), new ArrayList<>(after));

            Waits.until(doneWhen, doneWithin, doneWhat + " after the broker restart");
            whenDone.run(broker.bootstrapServers());
        } finally {
            if (running != null) {
                running.cancel().get();
            }
            broker.close();
        }
    }
}
