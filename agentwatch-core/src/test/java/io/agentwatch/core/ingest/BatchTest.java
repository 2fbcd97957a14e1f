package io.agentwatch.core.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BatchTest {

  static final String A = "{\"id\":\"a\",\"type\":\"x.y\",\"agentId\":\"w\",\"ts\":\"2026-11-28T16:00:00Z\"}";
  static final String B = "{\"id\":\"b\",\"type\":\"x.y\",\"agentId\":\"w\",\"ts\":\"2026-11-28T16:00:00Z\",\"data\":{}}";

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** A JSON array of {@code n} empty objects, or NDJSON of as many lines. */
  static byte[] many(int n, boolean ndjson) {
    StringBuilder sb = new StringBuilder(n * 3 + 2);
    if (!ndjson) {
      sb.append('[');
    }
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        sb.append(ndjson ? "\n" : ",");
      }
      sb.append("{}");
    }
    if (!ndjson) {
      sb.append(']');
    }
    return bytes(sb.toString());
  }

  @Nested
  class Json {

    @Test
    void anArrayGivesOneItemPerElementWithItsSize() {
      Batch batch = Batch.ofJson(bytes("[" + A + ",\n  " + B + "]"));

      assertThat(batch.size()).isEqualTo(2);
      assertThat(batch.items().get(0).node().get("id").stringValue()).isEqualTo("a");
      assertThat(batch.items().get(0).bytes()).isEqualTo(A.length());
      assertThat(batch.items().get(1).node().get("id").stringValue()).isEqualTo("b");
      assertThat(batch.items().get(1).bytes()).isEqualTo(B.length());
      assertThat(batch.items()).allSatisfy(item -> assertThat(item.problem()).isNull());
    }

    @Test
    void aSingleObjectIsABatchOfOne() {
      Batch batch = Batch.ofJson(bytes(A));

      assertThat(batch.size()).isEqualTo(1);
      assertThat(batch.items().getFirst().node().get("id").stringValue()).isEqualTo("a");
    }

    @Test
    void anEmptyArrayIsAnEmptyBatch() {
      assertThat(Batch.ofJson(bytes(" [ ] ")).size()).isZero();
    }

    @Test
    void elementsThatAreNotObjectsStayItemsForTheValidatorToRefuse() {
      Batch batch = Batch.ofJson(bytes("[1,\"x\",null,[],{}]"));

      assertThat(batch.size()).isEqualTo(5);
      assertThat(batch.items().get(0).node().isNumber()).isTrue();
      assertThat(batch.items().get(2).node().isNull()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "hello", "42", "\"text\"", "null", "true", "{", "[", "[{}", "[{},", "[{\"a\":}]",
        "{\"a\":1", "\u0000", "[{'a':1}]", "[{a:1}]"})
    void aBodyThatIsNotJsonIsMalformed(String body) {
      assertThatThrownBy(() -> Batch.ofJson(bytes(body))).isInstanceOf(MalformedBodyException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"[{}] x", "[{}][{}]", "{} {}", "[{}],", "{}]", "[] 1", "[{}]\n{}"})
    void trailingGarbageIsMalformed(String body) {
      assertThatThrownBy(() -> Batch.ofJson(bytes(body))).isInstanceOf(MalformedBodyException.class);
    }

    @Test
    void trailingWhitespaceIsFine() {
      assertThat(Batch.ofJson(bytes("[{}] \r\n\t")).size()).isEqualTo(1);
    }

    @Test
    void duplicateKeysAnywhereMakeTheBodyMalformed() {
      assertThatThrownBy(() -> Batch.ofJson(bytes("[{\"id\":\"a\",\"id\":\"b\"}]")))
          .isInstanceOf(MalformedBodyException.class).hasMessageContaining("Duplicate");
      assertThatThrownBy(() -> Batch.ofJson(bytes("[{},{\"data\":{\"k\":1,\"k\":2}}]")))
          .isInstanceOf(MalformedBodyException.class);
    }

    @Test
    void tenThousandEventsFitButOneMoreIsTooLarge() {
      assertThat(Batch.ofJson(many(Batch.MAX_EVENTS, false)).size()).isEqualTo(10_000);
      assertThatThrownBy(() -> Batch.ofJson(many(Batch.MAX_EVENTS + 1, false)))
          .isInstanceOf(TooLargeException.class).hasMessageContaining("10000");
    }
  }

  @Nested
  class Ndjson {

    @Test
    void eachLineIsAnItem() {
      Batch batch = Batch.ofNdjson(bytes(A + "\n" + B + "\n"));

      assertThat(batch.size()).isEqualTo(2);
      assertThat(batch.items()).extracting(i -> i.node().get("id").stringValue()).containsExactly("a", "b");
      assertThat(batch.items()).extracting(Batch.Item::bytes).containsExactly(A.length(), B.length());
    }

    @Test
    void theLastLineNeedsNoNewline() {
      assertThat(Batch.ofNdjson(bytes(A + "\n" + B)).size()).isEqualTo(2);
    }

    @Test
    void crlfLineEndsAreAccepted() {
      Batch batch = Batch.ofNdjson(bytes(A + "\r\n" + B + "\r\n"));

      assertThat(batch.items()).extracting(i -> i.node().get("id").stringValue()).containsExactly("a", "b");
      assertThat(batch.items()).extracting(Batch.Item::bytes).containsExactly(A.length(), B.length());
    }

    @Test
    void blankAndWhitespaceOnlyLinesAreSkipped() {
      Batch batch = Batch.ofNdjson(bytes("\n\n" + A + "\n   \n\t\r\n\r\n" + B + "\n\n"));

      assertThat(batch.items()).extracting(i -> i.node().get("id").stringValue()).containsExactly("a", "b");
    }

    @Test
    void oneBadLineAmongGoodOnesBecomesAnItemWithAProblem() {
      Batch batch = Batch.ofNdjson(bytes(A + "\n{\"id\": oops}\n" + B + "\n"));

      assertThat(batch.size()).isEqualTo(3);
      Batch.Item bad = batch.items().get(1);
      assertThat(bad.node()).isNull();
      assertThat(bad.problem().path()).isEmpty();
      assertThat(bad.problem().reason()).startsWith("line 2 is not valid JSON");
      assertThat(batch.items().get(0).problem()).isNull();
      assertThat(batch.items().get(2).node().get("id").stringValue()).isEqualTo("b");
    }

    @Test
    void theProblemNamesThePhysicalLineEvenAfterBlankLines() {
      Batch batch = Batch.ofNdjson(bytes("\n" + A + "\r\n\r\nnot json\n" + B));

      assertThat(batch.size()).isEqualTo(3);
      assertThat(batch.items().get(1).problem().reason()).startsWith("line 4 is not valid JSON");
    }

    @Test
    void aLineWithTwoObjectsOrTrailingGarbageIsABadLine() {
      Batch batch = Batch.ofNdjson(bytes(A + "\n{}{}\n{} x\n" + B));

      assertThat(batch.items()).extracting(i -> i.problem() != null).containsExactly(false, true, true, false);
    }

    @Test
    void aLineWithDuplicateKeysIsABadLine() {
      Batch batch = Batch.ofNdjson(bytes(A + "\n{\"id\":\"x\",\"id\":\"y\"}\n"));

      assertThat(batch.items().get(1).problem().reason()).contains("Duplicate");
    }

    @Test
    void aLineThatIsJsonButNotAnObjectStaysAnItemForTheValidator() {
      Batch batch = Batch.ofNdjson(bytes("[1,2]\n42\n" + A));

      assertThat(batch.size()).isEqualTo(3);
      assertThat(batch.items().get(0).node().isArray()).isTrue();
      assertThat(batch.items().get(0).problem()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "\n", "\r\n\r\n", "   \n\t", "not json", "nope\n{\n}"})
    void aBodyWithoutAnyParseableLineIsMalformed(String body) {
      assertThatThrownBy(() -> Batch.ofNdjson(bytes(body))).isInstanceOf(MalformedBodyException.class);
    }

    @Test
    void multiByteCharactersAreCountedInBytes() {
      String line = "{\"id\":\"a\",\"data\":{\"t\":\"äöü😀\"}}";
      Batch batch = Batch.ofNdjson(bytes(line + "\n"));

      assertThat(batch.items().getFirst().bytes()).isEqualTo(bytes(line).length);
      assertThat(batch.items().getFirst().node().get("data").get("t").stringValue()).isEqualTo("äöü😀");
    }

    @Test
    void tenThousandLinesFitButOneMoreIsTooLarge() {
      assertThat(Batch.ofNdjson(many(Batch.MAX_EVENTS, true)).size()).isEqualTo(10_000);
      assertThatThrownBy(() -> Batch.ofNdjson(many(Batch.MAX_EVENTS + 1, true)))
          .isInstanceOf(TooLargeException.class);
    }
  }
}
