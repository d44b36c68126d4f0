package pando.maelstrom.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ErrorCodeTest {

  @Test
  void codesAndDefinitenessFollowMaelstrom() {
    assertThat(Arrays.stream(ErrorCode.values()).mapToInt(ErrorCode::code))
        .containsExactly(0, 1, 10, 11, 12, 13, 14, 20, 21, 22);
    assertThat(Arrays.stream(ErrorCode.values()).filter(c -> !c.isDefinite()))
        .containsExactly(ErrorCode.TIMEOUT, ErrorCode.CRASH);
  }

  @Test
  void unknownCodesAreIndefinite() {
    assertThat(ErrorCode.fromCode(1000)).isEmpty();
    assertThat(ErrorCode.isDefinite(1000)).isFalse();
    assertThat(ErrorCode.isDefinite(11)).isTrue();
    assertThat(ErrorCode.fromCode(22)).contains(ErrorCode.PRECONDITION_FAILED);
  }

  @Test
  void bodyHasTypeCodeAndText() {
    assertThat(ErrorCode.NOT_SUPPORTED.body("nope").toString())
        .isEqualTo("{\"type\":\"error\",\"code\":10,\"text\":\"nope\"}");
    assertThat(ErrorCode.CRASH.body(null).get("text").getAsString()).isEqualTo("crash");
  }
}
