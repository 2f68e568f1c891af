package io.clickflow.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

/** Every accepted and refused form of the two analytics requests, without a server. */
@Timeout(10)
class RequestsTest {
    static final long NOW = 1_700_000_000_000L;
    static final Requests.Limits LIMITS = new Requests.Limits(8, Duration.ofHours(24), Duration.ofHours(1));

    static Requests.Post post(String query) throws BadRequest {
        return Requests.post(query, NOW, LIMITS);
    }

    static void refused(String query, String reason) {
        assertThatThrownBy(() -> post(query))
                .as(query)
                .isInstanceOf(BadRequest.class)
                .hasMessageContaining(reason)
                .hasMessageNotContaining("\n");
    }

    @Test
    void flagsBareEmptyOrOne() throws Exception {
        assertThat(post("timestamp=" + NOW + "&user=a&click")).isEqualTo(new Requests.Post("a", NOW, true));
        assertThat(post("timestamp=" + NOW + "&user=a&click=")).isEqualTo(new Requests.Post("a", NOW, true));
        assertThat(post("click=1&user=a&timestamp=" + NOW)).isEqualTo(new Requests.Post("a", NOW, true));
        assertThat(post("timestamp=" + NOW + "&user=a&impression")).isEqualTo(new Requests.Post("a", NOW, false));
        refused("timestamp=" + NOW + "&user=a", "give click or impression");
        refused("timestamp=" + NOW + "&user=a&click&impression", "not both");
        refused("timestamp=" + NOW + "&user=a&click=0", "click is a flag");
        refused("timestamp=" + NOW + "&user=a&click=true", "click is a flag");
        refused("timestamp=" + NOW + "&user=a&click&click", "more than once");
    }

    @Test
    void userDecoding() throws Exception {
        assertThat(post("timestamp=" + NOW + "&click&user=a+b").user()).isEqualTo("a b");
        assertThat(post("timestamp=" + NOW + "&click&user=a%20b").user()).isEqualTo("a b");
        assertThat(post("timestamp=" + NOW + "&click&user=a%2Bb").user()).isEqualTo("a+b");
        assertThat(post("timestamp=" + NOW + "&click&user=%25%26%3D").user()).isEqualTo("%&=");
        assertThat(post("timestamp=" + NOW + "&click&user=%C3%A9l%C3%A8ve").user())
                .isEqualTo("élève");
        assertThat(post("timestamp=" + NOW + "&click&user=%F0%9F%98%80").user()).isEqualTo("😀");
        assertThat(post("timestamp=" + NOW + "&click&user=%22q%5C").user()).isEqualTo("\"q\\");
        refused("timestamp=" + NOW + "&click", "user is missing");
        refused("timestamp=" + NOW + "&click&user", "user is empty");
        refused("timestamp=" + NOW + "&click&user=", "user is empty");
        refused("timestamp=" + NOW + "&click&user=a%2", "bad %-escape");
        refused("timestamp=" + NOW + "&click&user=a%zz", "bad %-escape");
        refused("timestamp=" + NOW + "&click&user=%C3", "not valid percent-encoded UTF-8");
        refused("timestamp=" + NOW + "&click&user=%FF", "not valid percent-encoded UTF-8");
        refused("timestamp=" + NOW + "&click&user=a&user=b", "more than once");
    }

    @Test
    void userLengthInCharacters() throws Exception {
        assertThat(post("timestamp=" + NOW + "&click&user=%F0%9F%98%80".repeat(1) + "1234567")
                        .user())
                .hasSize(9); // 8 characters, one of them two UTF-16 units
        refused("timestamp=" + NOW + "&click&user=123456789", "user is 9 characters long; at most 8");
    }

    @Test
    void timestamps() throws Exception {
        refused("user=a&click", "timestamp is missing");
        refused("timestamp&user=a&click", "timestamp is missing");
        refused("timestamp=&user=a&click", "must be milliseconds since the epoch as digits, not ''");
        refused("timestamp=abc&user=a&click", "as digits, not 'abc'");
        refused("timestamp=-5&user=a&click", "as digits, not '-5'");
        refused("timestamp=1.5e12&user=a&click", "as digits");
        refused("timestamp=99999999999999999999&user=a&click", "too large");
        long day = Duration.ofHours(24).toMillis();
        assertThat(post("timestamp=" + (NOW - day) + "&user=a&click").timestamp())
                .isEqualTo(NOW - day);
        refused("timestamp=" + (NOW - day - 1) + "&user=a&click", "older than 1d (--max-age)");
        refused("timestamp=0&user=a&click", "older than 1d");
        long hour = Duration.ofHours(1).toMillis();
        assertThat(post("timestamp=" + (NOW + hour) + "&user=a&click").timestamp())
                .isEqualTo(NOW + hour);
        refused("timestamp=" + (NOW + hour + 1) + "&user=a&click", "ahead of this server's clock (--max-future)");
    }

    @Test
    void timestampRefusalsSayWhatWasMeant() {
        // '+' is a space in a query string, so "+1" arrives as " 1": the refusal says why it shows a space.
        refused("timestamp=+1&user=a&click", "not ' 1' (a '+' in a query string decodes to a space");
        refused("timestamp=%201&user=a&click", "decodes to a space");
        refused("timestamp=-1&user=a&click", "not '-1'");
        assertThatThrownBy(() -> post("timestamp=-1&user=a&click")).hasMessageNotContaining("space");
        // Seconds (currentTimeMillis() / 1000) are told apart from an old event: they would be now in milliseconds.
        long seconds = NOW / 1000;
        refused(
                "timestamp=" + seconds + "&user=a&click",
                "timestamp 1700000000 looks like seconds since the epoch: timestamps are milliseconds since the epoch"
                        + " (1700000000000 is 2023-11-14T22:13:20.000Z)");
        refused("timestamp=" + (seconds - 1000) + "&user=a&click", "looks like seconds");
        // An old time that is not a current time in seconds is just old.
        refused(
                "timestamp=" + (seconds - Duration.ofDays(2).toSeconds()) + "&user=a&click",
                "older than 1d (--max-age)");
        assertThatThrownBy(() -> post("timestamp=" + (NOW - Duration.ofDays(2).toMillis()) + "&user=a&click"))
                .hasMessageContaining("older than 1d")
                .hasMessageNotContaining("seconds");
        assertThatThrownBy(() -> post("timestamp=0&user=a&click")).hasMessageNotContaining("seconds");
    }

    static void refusedKey(String query, String header, String reason) {
        assertThatThrownBy(() -> Requests.post(query, header, NOW, LIMITS))
                .as(query + " / " + header)
                .isInstanceOf(BadRequest.class)
                .hasMessageContaining(reason)
                .hasMessageNotContaining("\n");
    }

    @Test
    void idempotencyKeys() throws Exception {
        String q = "timestamp=" + NOW + "&user=a&click";
        assertThat(post(q).id()).isNull();
        assertThat(Requests.post(q, null, NOW, LIMITS)).isEqualTo(new Requests.Post("a", NOW, true));
        assertThat(post(q + "&id=k1")).isEqualTo(new Requests.Post("a", NOW, true, "k1"));
        assertThat(Requests.post(q, "k1", NOW, LIMITS).id()).isEqualTo("k1");
        assertThat(Requests.post(q + "&id=k1", "k1", NOW, LIMITS).id()).isEqualTo("k1");
        assertThat(post(q + "&id=a%20b%22").id()).isEqualTo("a b\"");
        assertThat(post(q + "&id=" + "x".repeat(256)).id()).hasSize(256);
        // 128 two-byte characters: 256 bytes, the most
        assertThat(Requests.post(q, "é".repeat(128), NOW, LIMITS).id()).hasSize(128);

        refused(q + "&id=", "id is empty");
        refused(q + "&id", "id is empty");
        refusedKey(q, "", "Idempotency-Key is empty");
        refused(q + "&id=" + "x".repeat(257), "id is 257 bytes long");
        refusedKey(q, "x".repeat(257), "Idempotency-Key is 257 bytes long");
        refusedKey(q, "é".repeat(129), "258 bytes long (UTF-8)");
        refusedKey(q + "&id=k1", "k2", "differ");
        refusedKey(q + "&id=", "k1", "id is empty");
        refused(q + "&id=k1&id=k1", "more than once");
    }

    @Test
    void unknownParametersAreRefused() {
        refused("timestamp=" + NOW + "&user=a&clicks", "unknown parameter 'clicks'");
        assertThatThrownBy(() -> Requests.get("timestamp=1&user=a")).hasMessageContaining("unknown parameter 'user'");
    }

    @Test
    void get() throws Exception {
        assertThat(Requests.get("timestamp=0")).isZero();
        assertThat(Requests.get("timestamp=1700000000000")).isEqualTo(1_700_000_000_000L);
        assertThatThrownBy(() -> Requests.get("")).hasMessageContaining("timestamp is missing");
        assertThatThrownBy(() -> Requests.get("timestamp=-1")).hasMessageContaining("as digits");
        assertThatThrownBy(() -> Requests.get("timestamp=1234567890123456")).hasMessageContaining("too large");
    }

    @Test
    void freshIsAFlag() throws Exception {
        assertThat(Requests.read("timestamp=5")).isEqualTo(new Requests.Get(5, false));
        for (String fresh : new String[] {"&fresh", "&fresh=", "&fresh=1", "&fresh=true"}) {
            assertThat(Requests.read("timestamp=5" + fresh)).as(fresh).isEqualTo(new Requests.Get(5, true));
        }
        for (String bad : new String[] {"0", "false", "yes", "TRUE", "2"}) {
            assertThatThrownBy(() -> Requests.read("timestamp=5&fresh=" + bad))
                    .isInstanceOf(BadRequest.class)
                    .hasMessage("fresh is a flag: give it bare (&fresh), as fresh=1 or fresh=true, not fresh=" + bad
                            + " (leave it out for the cached answer)");
        }
        assertThatThrownBy(() -> Requests.read("timestamp=5&fresh&fresh"))
                .isInstanceOf(BadRequest.class)
                .hasMessageContaining("more than once");
        assertThatThrownBy(() -> Requests.read("fresh")).hasMessageContaining("timestamp is missing");
        assertThatThrownBy(() -> Requests.read("timestamp=5&freshh"))
                .hasMessage("unknown parameter 'freshh' (the parameters are timestamp and fresh)");
    }

    @Test
    void refusalsQuoteValuesOnOneShortLine() {
        refused("timestamp=a%0Ab&user=a&click", "not 'a?b'");
        refused("timestamp=" + "9".repeat(100) + "x&user=a&click", "...");
    }

    @Test
    void body() {
        assertThat(new String(HourlyStatsStore.body(3, 2, 1))).isEqualTo("unique_users,3\nclicks,2\nimpressions,1\n");
    }
}
