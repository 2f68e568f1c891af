package io.clickflow.options;

import io.clickflow.testing.CommandChecks;

import org.junit.jupiter.api.Test;

/**
 * The option tables of {@code docs/options.md} are generated from the commands themselves: each sits between
 * {@code <!-- options:NAME -->} markers and must equal what the command declares. After changing an option, run
 * {@code mvn test -pl core,job -am -Dsurefire.failIfNoSpecifiedTests=false -Dtest=OptionsReferenceTest
 * -Dclickflow.writeDocs=true} to write them anew (the demo's: DemoOptionsReferenceTest, {@code -pl demo -am}).
 */
class OptionsReferenceTest {
    @Test
    void theOptionTablesAreTheCommandsOwn() throws Exception {
        // The demo's sections are its module's (DemoOptionsReferenceTest): here demo is only a name in the list.
        CommandChecks.optionTablesAreTheCommandsOwn(
                CommandChecks.bySection(CliTest.commands(), "clickflow-"), section -> !section.startsWith("demo"));
    }
}
