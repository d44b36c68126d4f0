package pando.cli;

/**
 * Log levels for the CLI's own process, set before the first logger exists. A node or a placement
 * driver logs its own events at INFO and Ratis at WARN; data commands stay quiet so their output
 * is just the answer.
 */
final class Logging {
  private Logging() {}

  static void configure(boolean server) {
    setDefault("org.slf4j.simpleLogger.logFile", "System.err");
    setDefault("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    setDefault("org.slf4j.simpleLogger.showDateTime", "true");
    setDefault("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
    if (server) {
      setDefault("org.slf4j.simpleLogger.log.pando", "info");
    }
    // Logs every request it retries while a leader moves, at ERROR: expected, not an operator's problem.
    setDefault("org.slf4j.simpleLogger.log.org.apache.ratis.client.impl.OrderedAsync", "off");
  }

  private static void setDefault(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
