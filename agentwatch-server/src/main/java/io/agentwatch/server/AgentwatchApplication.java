package io.agentwatch.server;

import io.agentwatch.core.state.ProjectionUpdater;
import io.agentwatch.server.auth.KeysCommand;
import java.time.Duration;
import java.util.Arrays;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts Agentwatch: {@code java -jar agentwatch.jar} runs the embedded deployment;
 * {@code java -jar agentwatch.jar rebuild-projections} drops the agents, runs and tasks
 * projections, rebuilds them from the log and exits; {@code java -jar agentwatch.jar keys create
 * --operator} makes a new operator key offline when the admin key is lost ({@link KeysCommand}).
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class AgentwatchApplication {

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("rebuild-projections")) {
      rebuildProjections(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    if (args.length > 0 && args[0].equals("keys")) {
      int exit = KeysCommand.run(Arrays.copyOfRange(args, 1, args.length), System.out, System.err);
      if (exit != 0) {
        System.exit(exit);
      }
      return;
    }
    SpringApplication.run(AgentwatchApplication.class, args);
  }

  private static void rebuildProjections(String[] args) {
    try (ConfigurableApplicationContext context = new SpringApplicationBuilder(AgentwatchApplication.class)
        .web(WebApplicationType.NONE)
        .properties("agentwatch.demo=false")
        .run(args)) {
      long started = System.nanoTime();
      var cursor = context.getBean(ProjectionUpdater.class).rebuild(Duration.ofHours(2));
      System.out.printf("Projections rebuilt from the log up to %s in %d ms%n", cursor,
          (System.nanoTime() - started) / 1_000_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      System.exit(1);
    }
  }
}
