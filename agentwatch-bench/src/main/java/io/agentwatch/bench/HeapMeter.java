package io.agentwatch.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The server's memory as the bench sees it from outside: heap in use right after a full GC
 * ({@code jcmd <pid> GC.run}, then {@code GC.heap_info}) and the process's resident set from
 * {@code /proc}. Both need the server on this machine under the same user.
 */
final class HeapMeter {

  /** Heap in use after a GC, and resident memory, in bytes (-1 when unknown). */
  record Reading(long heapBytes, long rssBytes) {}

  private final long pid;

  HeapMeter(long pid) {
    this.pid = pid;
  }

  Reading read() throws InterruptedException {
    return new Reading(usedAfterGc(), rss());
  }

  long usedAfterGc() throws InterruptedException {
    if (pid <= 0) {
      return -1;
    }
    jcmd("GC.run");
    Thread.sleep(300);
    jcmd("GC.run");
    Thread.sleep(300);
    // "garbage-first heap   total reserved 4194304K, committed 262144K, used 23456K [..."
    for (String line : jcmd("GC.heap_info").split("\n")) {
      int at = line.indexOf(" used ");
      if (line.contains("heap") && at >= 0) {
        return Long.parseLong(line.substring(at + 6).replaceAll("[^0-9].*", "")) * 1024;
      }
    }
    return -1;
  }

  private long rss() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // Unknown.
    }
    return -1;
  }

  private String jcmd(String command) throws InterruptedException {
    String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    try {
      Process p = new ProcessBuilder(jcmd, Long.toString(pid), command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      p.waitFor(30, TimeUnit.SECONDS);
      return out;
    } catch (IOException e) {
      return "";
    }
  }
}
