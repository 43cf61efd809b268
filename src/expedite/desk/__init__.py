"""The staff's desk: the board of everything that needs someone today, and each person's
morning digest of it. It reads every feature app, so it sits above them; no app imports it."""
