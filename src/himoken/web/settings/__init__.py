"""Settings modules: `progress` (administrative network); `review` comes with issue 5."""
