package io.agentwatch.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** One line describing where the bench ran: CPUs, memory, OS and JDK. */
final class Machine {

  private Machine() {}

  static String describe() {
    return Runtime.getRuntime().availableProcessors() + " CPUs (" + cpuModel() + "), "
        + memory() + " RAM, " + System.getProperty("os.name") + " " + System.getProperty("os.version")
        + osRelease() + ", JDK " + System.getProperty("java.vm.vendor", "") + " "
        + System.getProperty("java.runtime.version");
  }

  private static String cpuModel() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
          .filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).trim())
          .findFirst().orElse("unknown model");
    } catch (IOException e) {
      return "unknown model";
    }
  }

  private static String memory() {
    try {
      return Files.readAllLines(Path.of("/proc/meminfo")).stream()
          .filter(l -> l.startsWith("MemTotal:"))
          .map(l -> Long.parseLong(l.replaceAll("\\D", "")))
          .map(kib -> String.format(Locale.ROOT, "%.1f GiB", kib / 1024.0 / 1024.0))
          .findFirst().orElse("unknown");
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private static String osRelease() {
    try {
      return Files.readAllLines(Path.of("/etc/os-release")).stream()
          .filter(l -> l.startsWith("PRETTY_NAME="))
          .map(l -> " (" + l.substring("PRETTY_NAME=".length()).replace("\"", "") + ")")
          .findFirst().orElse("");
    } catch (IOException e) {
      return "";
    }
  }
}
