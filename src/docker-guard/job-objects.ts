/**
 * What belongs to the job: containers, networks and volumes carry its label (the engine is the
 * truth, so a name reused by someone else is caught), exec sessions belong to the job's
 * containers, and images are remembered as the job built, pulled or tagged them (images carry
 * no label: adding one would change the image the job pushes).
 *
 * Names in requests are resolved to IDs here, and the forwarded request names the ID, so a
 * name re-bound between the check and the engine's action cannot redirect it.
 */
import { EngineError } from '../engine/errors.js';
import type { EngineHttpClient } from '../engine/http-client.js';
import { imagePathSegment, referenceKey } from './image-names.js';
import { GuardRefusal, forbidden } from './refusal.js';

/** The label that marks an object as the job's. */
export interface JobLabel {
  key: string;
  value: string;
}

interface LabelledInspect {
  Id?: string;
  Name?: string;
  Labels?: Record<string, string> | null;
  Config?: { Labels?: Record<string, string> | null };
}

/** Engine answers the guard passes on unchanged (a missing object's 404 message). */
function passOn(error: unknown): never {
  if (error instanceof EngineError && error.status >= 400 && error.status < 500)
    throw new GuardRefusal(error.status, error.engineMessage, false);
  throw error;
}

/** Short names for refusals. */
const NOUNS = { container: 'containers', network: 'networks', volume: 'volumes' } as const;

export class JobObjects {
  /** Containers created through this guard: ID → the host paths they bind-mount. */
  readonly containers = new Map<string, string[]>();
  /** Exec sessions created through this guard: exec ID → container ID. */
  private readonly execs = new Map<string, string>();
  /** Images the job brought into the engine (built, committed, or pulled when absent). */
  private readonly createdImages = new Set<string>();
  /** Names the job gave images (tag, build -t, pull, load): name as typed (normalised) → image ID then. */
  private readonly imageNames = new Map<string, string>();

  constructor(
    private readonly engine: EngineHttpClient,
    readonly label: JobLabel,
  ) {}

  private owns(labels: Record<string, string> | null | undefined): boolean {
    return labels?.[this.label.key] === this.label.value;
  }

  private refuseForeign(kind: keyof typeof NOUNS, ref: string, use: string): never {
    throw forbidden(
      `${use ? `${use}: ` : ''}${kind} ${ref} was not created by this job; a workflow job can only use its own ${NOUNS[kind]}`,
    );
  }

  /** The ID of one of the job's containers, or a refusal (404 when it does not exist). */
  async container(ref: string, use: string): Promise<string> {
    if (this.containers.has(ref)) return ref;
    const found = await this.engine
      .json<LabelledInspect>({
        operation: 'inspect container',
        method: 'GET',
        path: `/containers/${encodeURIComponent(ref)}/json`,
      })
      .catch(passOn);
    if (!found?.Id || !this.owns(found.Config?.Labels)) this.refuseForeign('container', ref, use);
    return found.Id;
  }

  /** The container an exec session runs in, when that container is the job's. */
  async exec(id: string, use: string): Promise<string> {
    const known = this.execs.get(id);
    if (known) return id;
    const found = await this.engine
      .json<{ ID?: string; ContainerID?: string }>({
        operation: 'inspect exec',
        method: 'GET',
        path: `/exec/${encodeURIComponent(id)}/json`,
      })
      .catch(passOn);
    if (!found?.ContainerID) throw forbidden(`${use}: exec session ${id} belongs to no container of this job`);
    await this.container(found.ContainerID, use);
    return found.ID ?? id;
  }

  /** Remembers an exec session the job created. */
  rememberExec(execId: string, containerId: string): void {
    this.execs.set(execId, containerId);
  }

  /** The ID of one of the job's networks (predefined networks are not the job's). */
  async network(ref: string, use: string): Promise<{ id: string; name: string }> {
    const found = await this.engine
      .json<LabelledInspect>({
        operation: 'inspect network',
        method: 'GET',
        path: `/networks/${encodeURIComponent(ref)}`,
      })
      .catch(passOn);
    if (!found?.Id || !this.owns(found.Labels)) this.refuseForeign('network', ref, use);
    return { id: found.Id, name: found.Name ?? ref };
  }

  /** True when the named volume exists and is the job's; undefined when it does not exist. */
  async volume(name: string, use: string): Promise<boolean | undefined> {
    try {
      const found = await this.engine.json<LabelledInspect>({
        operation: 'inspect volume',
        method: 'GET',
        path: `/volumes/${encodeURIComponent(name)}`,
      });
      if (!this.owns(found?.Labels)) this.refuseForeign('volume', name, use);
      return true;
    } catch (error) {
      if (error instanceof EngineError && error.status === 404) return undefined;
      return passOn(error);
    }
  }

  /** The image a name resolves to now (ID and names), or undefined when there is none. */
  async image(name: string): Promise<{ id: string; repoTags: string[] } | undefined> {
    try {
      const found = await this.engine.json<{ Id?: string; RepoTags?: string[] | null }>({
        operation: 'inspect image',
        method: 'GET',
        path: `/images/${imagePathSegment(name)}/json`,
      });
      return found?.Id ? { id: normaliseId(found.Id), repoTags: found.RepoTags ?? [] } : undefined;
    } catch (error) {
      // No such image, or a name the engine cannot parse (Podman: a 500; the operation itself will say so).
      if (error instanceof EngineError && error.status !== 0) return undefined;
      throw error;
    }
  }

  /** Remembers an image the job brought into the engine. */
  rememberCreatedImage(id: string): void {
    this.createdImages.add(normaliseId(id));
  }

  /** Remembers a name the job pointed at an image. */
  rememberImageName(name: string, id: string): void {
    this.imageNames.set(referenceKey(name), normaliseId(id));
  }

  /**
   * Refuses removing an image the job did not bring in. Allowed: a name the job pointed at that
   * same image (removing it takes the job's name away), or an image the job brought in whose
   * every name is one the job gave (so no one else's name goes with it).
   */
  checkImageRemoval(name: string, image: { id: string; repoTags: string[] }): void {
    if (this.imageNames.get(referenceKey(name)) === image.id) return;
    const given = new Set([...this.imageNames.keys()].map(looseKey));
    if (this.createdImages.has(image.id) && image.repoTags.every((tag) => given.has(looseKey(tag)))) return;
    throw forbidden(
      `docker rmi ${name}: the image was not built, pulled or tagged by this job (or carries names this job did not give it); a workflow job can only remove its own images`,
    );
  }

  /** The images to remove when the job ends: names it gave, then the images it brought in. */
  imagesToRemove(): { names: string[]; ids: string[] } {
    return { names: [...this.imageNames.keys()], ids: [...this.createdImages] };
  }
}

/** A name without the default registry prefixes the engine adds (`localhost/`, `docker.io/library/`). */
function looseKey(name: string): string {
  return referenceKey(name.replace(/^(localhost\/|docker\.io\/library\/|docker\.io\/)/, ''));
}

/** `sha256:<hex>` whether or not the engine wrote the algorithm. */
export function normaliseId(id: string): string {
  return id.startsWith('sha256:') ? id : `sha256:${id}`;
}
