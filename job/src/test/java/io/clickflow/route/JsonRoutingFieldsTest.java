package io.clickflow.route;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** The routing fields of the seed's JSON events, read from the top level only. */
class JsonRoutingFieldsTest {
    static Routing read(String json) {
        return JsonRoutingFields.read(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsTheSeedsEvent() {
        Routing r =
                read("{\"event_id\": \"e-1\", \"origin_service_type\": \"financial\", \"origin_service_id\": 123456,"
                        + " \"destinations\": [\"FINANCE\", \"marketing\"], \"event_time\": \"2022-03-01T10:00:00Z\","
                        + " \"payload\": {\"amount\": 10}}");
        assertThat(r.ok()).isTrue();
        assertThat(r.destinations()).containsExactly("FINANCE", "MARKETING");
        assertThat(r.tenant()).isEqualTo("financial/123456");
    }

    @Test
    void namesIgnoreCaseAndARepeatedNameCountsOnce() {
        assertThat(read("{\"destinations\": [\"Finance\", \"FINANCE\", \" finance \", \"hr\"]}")
                        .destinations())
                .containsExactly("FINANCE", "HR");
    }

    @Test
    void nestedFieldsOfTheSameNameAreNotRouting() {
        Routing r = read("{\"payload\": {\"destinations\": [\"HR\"], \"origin_service_type\": \"decoy\"},"
                + " \"meta\": [{\"destinations\": [\"LEGAL\"]}], \"destinations\": [\"FINANCE\"],"
                + " \"origin_service_type\": \"financial\"}");
        assertThat(r.destinations()).containsExactly("FINANCE");
        assertThat(r.tenantType()).isEqualTo("financial");
    }

    @Test
    void unknownFieldsOfAnyShapeAreSkipped() {
        assertThat(read("{\"a\": null, \"b\": [1, [2, {\"c\": 3}]], \"d\": true, \"e\": 1.5e3,"
                                + " \"destinations\": [\"X\"]}")
                        .destinations())
                .containsExactly("X");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "[\"FINANCE\"]                                  | not a JSON object",
                "\"FINANCE\"                                    | not a JSON object",
                "{\"destinations\": [\"A\"]} {}                 | not a single JSON object",
                "{\"destinations\": [\"A\"]                     | not valid JSON",
                "not json                                       | not valid JSON",
                "{}                                             | no \"destinations\" or \"destination_service_type\"",
                "{\"destinations\": null}                       | \"destinations\" is not an array of strings",
                "{\"destinations\": []}                         | \"destinations\" is empty",
                "{\"destinations\": \"FINANCE\"}                | \"destinations\" is not an array of strings",
                "{\"destinations\": [\"A\", 1]}                 | \"destinations\" is not an array of strings",
                "{\"destinations\": [\"A\", {\"b\": 1}]}        | \"destinations\" is not an array of strings",
                "{\"destinations\": [\"\"]}                     | \"destinations\" is not an array of strings",
                "{\"destinations\": [\"A\"], \"destinations\": [\"B\"]} | \"destinations\" is given twice",
            })
    void refusesWithTheReason(String json, String reason) {
        Routing r = read(json);
        assertThat(r.ok()).isFalse();
        assertThat(r.error()).startsWith(reason);
        assertThat(r.destinations()).isEmpty();
    }

    @Test
    void theTenantIsKeptForARefusedRecord() {
        Routing r =
                read("{\"origin_service_type\": \"financial\", \"origin_service_id\": \"9\", \"destinations\": []}");
        assertThat(r.ok()).isFalse();
        assertThat(r.tenant()).isEqualTo("financial/9");
    }

    @Test
    void aTombstoneIsRefused() {
        assertThat(JsonRoutingFields.read(null).error()).isEqualTo("no value (a tombstone)");
    }

    @Test
    void nonScalarTenantFieldsAreNotNames() {
        Routing r =
                read("{\"origin_service_type\": {\"x\": 1}, \"origin_service_id\": null, \"destinations\": [\"A\"]}");
        assertThat(r.tenant()).isNull();
        assertThat(r.destinations()).isEqualTo(List.of("A"));
    }
}
