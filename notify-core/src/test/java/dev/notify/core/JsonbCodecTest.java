package dev.notify.core;

import dev.notify.api.InboxStats;
import dev.notify.api.spi.JsonException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class JsonbCodecTest {

    private final JsonbCodec json = new JsonbCodec();

    @Test
    void writesRecordsAndMaps() {
        assertThat(json.toJson(new InboxStats(3, 1, 2))).contains("\"total\":3").contains("\"unread\":1").contains("\"read\":2");
        assertThat(json.toJson(Map.of("task_id", "abc123"))).isEqualTo("{\"task_id\":\"abc123\"}");
    }

    @Test
    void parsesAnObjectIntoJsonLikeValues() {
        Map<String, Object> m = json.parseObject("{\"percent\":50,\"ok\":true,\"tags\":[\"a\"],\"none\":null,\"nested\":{\"x\":1.5}}");
        assertThat(m.get("percent")).isEqualTo(new BigDecimal("50"));
        assertThat(m.get("ok")).isEqualTo(true);
        assertThat(m.get("tags")).isEqualTo(List.of("a"));
        assertThat(m).containsEntry("none", null);
        assertThat(m.get("nested")).isEqualTo(Map.of("x", new BigDecimal("1.5")));
    }

    @Test
    void reportsMalformedJsonAsAJsonExceptionWithAReason() {
        assertThatThrownBy(() -> json.parseObject("{\"a\":")).isInstanceOf(JsonException.class).hasMessageContaining("malformed JSON");
        assertThatThrownBy(() -> json.parseObject("[1,2]")).isInstanceOf(JsonException.class).hasMessageContaining("expected a JSON object");
        assertThatThrownBy(() -> json.parseObject(null)).isInstanceOf(JsonException.class);
        assertThatThrownBy(() -> json.fromJson("{\"total\":\"many\"}", InboxStats.class)).isInstanceOf(JsonException.class);
    }

    @Test
    @DisplayName("deep nesting is refused before Yasson recurses into a StackOverflowError (issue 13)")
    void deepNestingIsAJsonExceptionNotAStackOverflow() throws InterruptedException {
        // 900 levels (a 2 KB body) are within the JSON parser's own limit of 1,000, and Yasson overflowed
        // a 256 KiB stack with them (and a 1 MiB one from about 600 levels on)
        String deep = "{\"ids\":" + "[".repeat(900) + "]".repeat(900) + "}";
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = new Thread(null, () -> thrown.set(catchThrowable(() -> json.parseObject(deep))), "small-stack", 256 << 10);
        t.start();
        t.join();
        assertThat(thrown.get()).isInstanceOf(JsonException.class).hasMessageContaining("nested deeper than 64");
        assertThatThrownBy(() -> json.fromJson("[".repeat(100_000), List.class)).isInstanceOf(JsonException.class);
        String allowed = "{\"a\":" + "[".repeat(63) + "]".repeat(63) + "}";
        assertThat(json.parseObject(allowed)).containsKey("a");
    }

    @Test
    @DisplayName("a number of more than 1,000 characters is refused before it costs seconds to parse (issue 13)")
    void longNumbersAreRefused() {
        String body = "{\"ids\":[" + "1".repeat(200_000) + "]}";
        JsonException e = assertTimeoutPreemptively(Duration.ofSeconds(2),
                () -> catchThrowableOfType(JsonException.class, () -> json.parseObject(body)));
        assertThat(e).hasMessageContaining("number longer than 1000 characters");
        assertThat(json.parseObject("{\"a\":" + "1".repeat(1000) + "}").get("a")).isEqualTo(new BigDecimal("1".repeat(1000)));
        assertThat(json.parseObject("{\"a\":\"" + "1".repeat(5000) + "\"}").get("a")).isEqualTo("1".repeat(5000));
    }

    @Test
    @DisplayName("1e999999999 stays a small BigDecimal and is written back as it came, not expanded (issue 13)")
    void hugeExponentsAreKeptAsTheyCame() {
        Map<String, Object> m = assertTimeoutPreemptively(Duration.ofSeconds(2), () -> json.parseObject("{\"a\":1e999999999,\"b\":-1E-999999999}"));
        assertThat(m.get("a")).isEqualTo(new BigDecimal("1e999999999"));
        assertThat(assertTimeoutPreemptively(Duration.ofSeconds(2), () -> json.toJson(m))).isEqualTo("{\"a\":1E+999999999,\"b\":-1E-999999999}");
        assertThatThrownBy(() -> json.parseObject("{\"a\":1e9999999999}")).isInstanceOf(JsonException.class);
    }

    @Test
    void textAfterTheValueIsRefused() {
        assertThatThrownBy(() -> json.parseObject("{\"a\":1}x")).isInstanceOf(JsonException.class).hasMessageContaining("after the end");
        assertThatThrownBy(() -> json.parseObject("{} {}")).isInstanceOf(JsonException.class);
        assertThatThrownBy(() -> json.fromJson("[1]]", List.class)).isInstanceOf(JsonException.class);
        assertThat(json.parseObject(" {\"a\":\"}x{\"} \r\n")).containsEntry("a", "}x{");
    }

    @Test
    void messagesQuoteTheInputOnOneShortLine() {
        JsonException e = catchThrowableOfType(JsonException.class, () -> json.parseObject("\u0000\n" + "x".repeat(10_000)));
        assertThat(e.getMessage()).hasSizeLessThan(300).doesNotContain("\n").doesNotContain("\u0000");
    }
}
