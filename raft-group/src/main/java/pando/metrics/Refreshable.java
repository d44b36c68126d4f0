package pando.metrics;

/** Meters whose values are read from state on demand: the scraper calls {@link #refresh} before each scrape. */
@FunctionalInterface
public interface Refreshable {
  void refresh();
}
