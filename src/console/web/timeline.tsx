/**
 * A rolling update drawn over time: one lane per task, its phases (pending, running, healthy,
 * draining) as bars on a shared time axis, the deployments' starts as lines. Drawn with
 * positioned boxes (percentages), so it stays readable at any width; lanes still open grow
 * with the page's clock between snapshots.
 */
import type { Timeline as TimelineData } from '../contract.js';
import { useTicking } from './components.js';
import { clockTime, duration } from './format.js';

const PHASES = ['pending', 'running', 'healthy', 'draining'] as const;

export function Timeline(props: { data: TimelineData; live: boolean; onTask?: (task: string) => void }) {
  const { data } = props;
  const open = props.live && data.lanes.some((lane) => lane.stoppedAt === undefined);
  const now = useTicking(open);
  const from = Date.parse(data.from);
  const drawnTo = Date.parse(data.to);
  const to = Math.max(open ? now : drawnTo, from + 1000);
  const x = (iso: string) => ((Date.parse(iso) - from) / (to - from)) * 100;
  const end = (iso: string, laneOpen: boolean) => (laneOpen && Date.parse(iso) >= drawnTo ? to : Date.parse(iso));
  if (data.lanes.length === 0) return <p class="empty">No tasks yet.</p>;
  return (
    <figure class="timeline" aria-label="Rolling update over time">
      <div class="timeline-axis">
        <span>{clockTime(data.from)}</span>
        <span>{duration(to - from)}</span>
        <span>{clockTime(new Date(to).toISOString())}</span>
      </div>
      <div class="timeline-lanes">
        <div class="timeline-overlay">
          {data.deployments.map((d, index) => (
            <div
              key={d.id}
              class={`timeline-marker dep-${index % 4}`}
              style={{ left: `${Math.max(0, x(d.createdAt))}%` }}
              title={`${d.status} deployment ${d.id} (${d.taskDefinition}) started ${clockTime(d.createdAt)}`}
            >
              <span>{d.taskDefinition.slice(d.taskDefinition.lastIndexOf('/') + 1)}</span>
            </div>
          ))}
        </div>
        {data.lanes.map((lane) => {
          const laneOpen = lane.stoppedAt === undefined;
          return (
            <div class="timeline-lane" key={lane.task}>
              <button
                type="button"
                class={`timeline-label dep-${lane.deployment % 4}`}
                title={`task ${lane.task}`}
                onClick={() => props.onTask?.(lane.task)}
              >
                {lane.task.slice(0, 8)}
              </button>
              <div class="timeline-track">
                {lane.segments.map((segment, i) => {
                  const left = x(segment.from);
                  const right = ((end(segment.to, laneOpen) - from) / (to - from)) * 100;
                  return (
                    <span
                      key={i}
                      class={`segment phase-${segment.phase}`}
                      style={{ left: `${left}%`, width: `${Math.max(0.4, right - left)}%` }}
                      title={`${segment.phase} ${clockTime(segment.from)}–${clockTime(segment.to)}`}
                    />
                  );
                })}
                {lane.stoppedAt ? (
                  <span
                    class={`stop-mark${lane.abnormal ? ' abnormal' : ''}`}
                    style={{ left: `${x(lane.stoppedAt)}%` }}
                    title={`stopped ${clockTime(lane.stoppedAt)}${lane.abnormal ? ' (abnormally)' : ''}`}
                  />
                ) : null}
              </div>
            </div>
          );
        })}
      </div>
      <figcaption class="legend">
        {PHASES.map((phase) => (
          <span key={phase}>
            <i class={`segment phase-${phase}`} /> {phase}
          </span>
        ))}
        <span>
          <i class="stop-mark abnormal" /> stopped abnormally
        </span>
        {data.omitted > 0 ? <span>{data.omitted} older tasks not drawn</span> : null}
      </figcaption>
    </figure>
  );
}
