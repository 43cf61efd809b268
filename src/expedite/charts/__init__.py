"""The product's pictures, drawn as inline SVG: `timeline` for everything on the working-day
axis (plans, progress, workload, the schedule), `trends` for figures over months and side by
side. Pure drawing from plain data; any app may use it, it imports no app."""
