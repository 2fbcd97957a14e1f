package io.agentwatch.server;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Starts Agentwatch: {@code java -jar agentwatch.jar} runs the embedded deployment. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class AgentwatchApplication {

  public static void main(String[] args) {
    SpringApplication.run(AgentwatchApplication.class, args);
  }
}
