package io.clickflow;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The house reads one way: job packages use the shared core, the core never uses a job, and no two packages
 * depend on each other. A new job goes in its own package and is registered once, in {@link Clickflow}.
 */
class ArchitectureTest {
    /** The shared core: what every job may use. */
    static final String[] CORE = {
        "io.clickflow.tables..",
        "io.clickflow.decode..",
        "io.clickflow.io..",
        "io.clickflow.stream..",
        "io.clickflow.options..",
        "io.clickflow.runner..",
        "io.clickflow.counting.."
    };

    /** The jobs and the commands built on them. */
    static final String[] ROOMS = {
        "io.clickflow.attribution..",
        "io.clickflow.uniques..",
        "io.clickflow.analytics..",
        "io.clickflow.route..",
        "io.clickflow.submit.."
    };

    /** The jobs, each its own room. */
    static final String[] JOBS = {
        "io.clickflow.attribution..", "io.clickflow.uniques..", "io.clickflow.analytics..", "io.clickflow.route.."
    };

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.clickflow");

    /** A new package is placed in the house (core or room) before these rules can check it. */
    @Test
    void everyPackageIsCoreOrARoom() {
        List<String> placed = Stream.concat(Arrays.stream(CORE), Arrays.stream(ROOMS))
                .map(p -> p.substring(0, p.length() - 2))
                .toList();
        Set<String> unplaced = new TreeSet<>();
        for (JavaClass c : MAIN) {
            String pkg = c.getPackageName();
            boolean inPlace = pkg.equals("io.clickflow")
                    || pkg.startsWith("io.clickflow.api")
                    // the local broker (kafka-runtime), on this classpath for the broker-restart tests only
                    || pkg.startsWith("io.clickflow.broker")
                    || pkg.startsWith("io.clickflow.commandline")
                    // test helpers from core's test jar (a jar, so DO_NOT_INCLUDE_TESTS does not see them as tests)
                    || pkg.startsWith("io.clickflow.testing")
                    || placed.stream().anyMatch(p -> pkg.equals(p) || pkg.startsWith(p + "."));
            if (!inPlace) {
                unplaced.add(pkg);
            }
        }
        assertThat(unplaced).as("packages in neither CORE nor ROOMS").isEmpty();
    }

    @Test
    void noPackageCycles() {
        slices().matching("io.clickflow.(*)..").should().beFreeOfCycles().check(MAIN);
    }

    @Test
    void theSharedCoreNeverUsesAJobOrACommand() {
        noClasses()
                .that()
                .resideInAnyPackage(CORE)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(ROOMS)
                .check(MAIN);
        noClasses()
                .that()
                .resideInAnyPackage(CORE)
                .should()
                .dependOnClassesThat()
                .haveFullyQualifiedName("io.clickflow.Clickflow")
                .check(MAIN);
    }

    @Test
    void jobsDoNotUseEachOther() {
        for (String job : JOBS) {
            for (String other : JOBS) {
                if (!job.equals(other)) {
                    noClasses()
                            .that()
                            .resideInAPackage(job)
                            .should()
                            .dependOnClassesThat()
                            .resideInAPackage(other)
                            .check(MAIN);
                }
            }
        }
    }

    /**
     * The API and the local broker (on this classpath for the end-to-end and broker-restart tests only) use the core
     * module, never the job jar or Flink.
     */
    @Test
    void theApiAndTheBrokerUseOnlyTheCoreModule() {
        noClasses()
                .that()
                .resideInAnyPackage("io.clickflow.api..", "io.clickflow.broker..")
                .should()
                .dependOnClassesThat(JavaClass.Predicates.resideInAPackage("io.clickflow..")
                        .and(DescribedPredicate.not(JavaClass.Predicates.resideInAnyPackage(
                                "io.clickflow.api..",
                                "io.clickflow.broker..",
                                "io.clickflow.tables..",
                                "io.clickflow.commandline.."))))
                .orShould()
                .dependOnClassesThat()
                .resideInAnyPackage("org.apache.flink..")
                .check(MAIN);
    }

    @Test
    void theCoreModuleStaysFreeOfFlink() {
        noClasses()
                .that()
                .resideInAnyPackage("io.clickflow.tables..", "io.clickflow.commandline..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("org.apache.flink..", "org.apache.kafka..")
                .check(MAIN);
    }
}
