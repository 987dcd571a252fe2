"""Settings modules, one per site: `review` (isolated network, personal data) and `progress`
(administrative network, counts only); both build on `base`."""
