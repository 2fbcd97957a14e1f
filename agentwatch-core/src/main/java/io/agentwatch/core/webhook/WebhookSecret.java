package io.agentwatch.core.webhook;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * Webhook signing secrets in the Standard Webhooks form {@code whsec_<base64>}: the base64 part
 * decodes to the HMAC key, 24 to 64 random bytes. Error messages never repeat the secret.
 */
public final class WebhookSecret {

  public static final String PREFIX = "whsec_";
  public static final int MIN_BYTES = 24;
  public static final int MAX_BYTES = 64;
  private static final int GENERATED_BYTES = 32;

  private WebhookSecret() {}

  /** A new secret of 32 random bytes. */
  public static String generate(SecureRandom random) {
    byte[] key = new byte[GENERATED_BYTES];
    random.nextBytes(key);
    return PREFIX + Base64.getEncoder().encodeToString(key);
  }

  /**
   * The HMAC key a secret stands for.
   *
   * @throws IllegalArgumentException when {@code secret} is not {@code whsec_} and base64 of 24..64 bytes
   */
  public static byte[] key(String secret) {
    if (secret == null || !secret.startsWith(PREFIX)) {
      throw new IllegalArgumentException("secret must start with '" + PREFIX + "' followed by base64 of "
          + MIN_BYTES + " to " + MAX_BYTES + " random bytes");
    }
    byte[] key;
    try {
      key = Base64.getDecoder().decode(secret.substring(PREFIX.length()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("secret after '" + PREFIX + "' must be standard base64 (A-Z a-z 0-9 + / =)");
    }
    if (key.length < MIN_BYTES || key.length > MAX_BYTES) {
      throw new IllegalArgumentException("secret must decode to " + MIN_BYTES + ".." + MAX_BYTES + " bytes but decodes to "
          + key.length);
    }
    return key;
  }
}
