package io.agentwatch.core.webhook;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Standard Webhooks signature: {@code v1,<base64 HMAC-SHA256 over "id.timestamp.body">},
 * keyed by the secret's decoded bytes. The receiver recomputes it from the {@code webhook-id} and
 * {@code webhook-timestamp} headers and the raw body, compares in constant time, and refuses
 * timestamps far from its own clock (replays).
 */
public final class WebhookSignature {

  public static final String VERSION = "v1";

  private WebhookSignature() {}

  /** The {@code webhook-signature} header value for one delivery attempt. */
  public static String sign(String secret, String id, long timestampSeconds, String body) {
    return VERSION + "," + Base64.getEncoder().encodeToString(hmac(WebhookSecret.key(secret),
        id + "." + timestampSeconds + "." + body));
  }

  /**
   * Whether {@code header} (one or more space-separated {@code v1,<sig>} entries, as Standard
   * Webhooks allows during secret rotation) holds the signature of this id, timestamp and body.
   */
  public static boolean verify(String secret, String id, long timestampSeconds, String body, String header) {
    if (header == null) {
      return false;
    }
    byte[] expected = sign(secret, id, timestampSeconds, body).getBytes(StandardCharsets.US_ASCII);
    for (String candidate : header.trim().split(" +")) {
      if (MessageDigest.isEqual(expected, candidate.getBytes(StandardCharsets.US_ASCII))) {
        return true;
      }
    }
    return false;
  }

  private static byte[] hmac(byte[] key, String content) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(content.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
