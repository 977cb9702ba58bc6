package dev.notify.core;

import dev.notify.api.InboxStats;
import dev.notify.api.spi.JsonException;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
}
