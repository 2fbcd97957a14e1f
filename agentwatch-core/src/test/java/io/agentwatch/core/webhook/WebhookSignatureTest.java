package io.agentwatch.core.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {

  /** The test vector published with the Standard Webhooks specification. */
  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  private static final String ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  private static final long TIMESTAMP = 1614265330;
  private static final String BODY = "{\"test\": 2432232314}";
  private static final String SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

  @Test
  void theSignatureIsTheStandardWebhooksReferenceOne() {
    assertThat(WebhookSignature.sign(SECRET, ID, TIMESTAMP, BODY)).isEqualTo(SIGNATURE);
  }

  @Test
  void verificationAcceptsTheRightSignatureAmongSeveralAndRefusesAnyChange() {
    assertThat(WebhookSignature.verify(SECRET, ID, TIMESTAMP, BODY, SIGNATURE)).isTrue();
    assertThat(WebhookSignature.verify(SECRET, ID, TIMESTAMP, BODY, "v1,AAAA " + SIGNATURE)).isTrue();
    assertThat(WebhookSignature.verify(SECRET, ID, TIMESTAMP, BODY + " ", SIGNATURE)).isFalse();
    assertThat(WebhookSignature.verify(SECRET, ID, TIMESTAMP + 1, BODY, SIGNATURE)).isFalse();
    assertThat(WebhookSignature.verify(SECRET, "msg_other", TIMESTAMP, BODY, SIGNATURE)).isFalse();
    assertThat(WebhookSignature.verify(WebhookSecret.generate(new SecureRandom()), ID, TIMESTAMP, BODY, SIGNATURE))
        .isFalse();
    assertThat(WebhookSignature.verify(SECRET, ID, TIMESTAMP, BODY, null)).isFalse();
  }

  @Test
  void generatedSecretsAreThirtyTwoRandomBytesInTheStandardForm() {
    SecureRandom random = new SecureRandom();
    String a = WebhookSecret.generate(random);

    assertThat(a).startsWith("whsec_").isNotEqualTo(WebhookSecret.generate(random));
    assertThat(WebhookSecret.key(a)).hasSize(32);
  }

  @Test
  void malformedSecretsAreRefusedWithoutRepeatingThem() {
    String tooShort = "whsec_" + Base64.getEncoder().encodeToString(new byte[23]);
    String tooLong = "whsec_" + Base64.getEncoder().encodeToString(new byte[65]);

    assertThatThrownBy(() -> WebhookSecret.key("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
        .hasMessageContaining("must start with 'whsec_'").hasMessageNotContaining("MfKQ");
    assertThatThrownBy(() -> WebhookSecret.key("whsec_not*base64!")).hasMessageContaining("base64")
        .hasMessageNotContaining("not*base64");
    assertThatThrownBy(() -> WebhookSecret.key(tooShort)).hasMessageContaining("decodes to 23");
    assertThatThrownBy(() -> WebhookSecret.key(tooLong)).hasMessageContaining("decodes to 65");
    assertThat(WebhookSecret.key("whsec_" + Base64.getEncoder().encodeToString(new byte[64]))).hasSize(64);
  }
}
