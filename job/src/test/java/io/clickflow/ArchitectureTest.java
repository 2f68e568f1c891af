package io.clickflow;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

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
        "io.clickflow.cli..",
        "io.clickflow.runner..",
        "io.clickflow.counting.."
    };

    /** The jobs and the commands built on them. */
    static final String[] ROOMS = {
        "io.clickflow.attribution..",
        "io.clickflow.uniques..",
        "io.clickflow.analytics..",
        "io.clickflow.demo..",
        "io.clickflow.submit.."
    };

    /** The jobs, each its own room. */
    static final String[] JOBS = {"io.clickflow.attribution..", "io.clickflow.uniques..", "io.clickflow.analytics.."};

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.clickflow");

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

    /** The API (on this classpath for the end-to-end test only) uses the core module, never the job jar or Flink. */
    @Test
    void theApiUsesOnlyTheCoreModule() {
        noClasses()
                .that()
                .resideInAPackage("io.clickflow.api..")
                .should()
                .dependOnClassesThat(JavaClass.Predicates.resideInAPackage("io.clickflow..")
                        .and(DescribedPredicate.not(JavaClass.Predicates.resideInAnyPackage(
                                "io.clickflow.api..", "io.clickflow.tables..", "io.clickflow.commandline.."))))
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
