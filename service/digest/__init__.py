"""The daily digest: the day's articles grouped into stories, each briefed, in one email."""
