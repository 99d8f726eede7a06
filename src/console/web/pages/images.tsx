/** Images: ECR repositories, and one repository's images with the task definitions that use them. */
import type { ImageRepositoryView, ImagesView } from '../../contract.js';
import { Badge, Empty, Section, Table, Time } from '../components.js';
import { bytes, shortDigest } from '../format.js';
import { useLive } from '../live.js';
import { paths } from '../routes.js';
import { Page } from './page.js';

export function ImagesPage() {
  const live = useLive<ImagesView>('images', {});
  return (
    <Page title="Images" live={live}>
      {(data) =>
        data.repositories.length === 0 ? (
          <Empty>
            No ECR repositories yet: <code>aws ecr create-repository --repository-name NAME</code>.
          </Empty>
        ) : (
          <Table head={['Repository', 'Images', 'Tags', 'URI', 'Created']}>
            {data.repositories.map((r) => (
              <tr key={r.name}>
                <td>
                  <a href={paths.image(r.name)}>{r.name}</a>
                </td>
                <td class="counts">{r.images}</td>
                <td>{r.tagMutability.toLowerCase().replaceAll('_', ' ')}</td>
                <td>
                  <code>{r.uri}</code>
                </td>
                <td>
                  <Time at={r.createdAt} />
                </td>
              </tr>
            ))}
          </Table>
        )
      }
    </Page>
  );
}

export function ImageRepositoryPage(props: { name: string }) {
  const live = useLive<ImageRepositoryView>('image', { name: props.name });
  return (
    <Page title={props.name} crumbs={[['Images', paths.images()]]} live={live}>
      {(data) => (
        <>
          <p class="hint">
            Push to <code>{data.uri}:TAG</code>
          </p>
          <Section title="Images">
            {data.images.length === 0 ? (
              <Empty>No images pushed yet.</Empty>
            ) : (
              <Table head={['Tags', 'Digest', 'Size', 'Pushed', 'Last pulled', 'Used by task definitions']}>
                {data.images.map((image) => (
                  <tr key={image.digest} data-digest={image.digest}>
                    <td>
                      {image.tags.length ? (
                        image.tags.map((t) => (
                          <code key={t} class="tag">
                            {t}
                          </code>
                        ))
                      ) : (
                        <span class="quiet">untagged</span>
                      )}
                    </td>
                    <td>
                      <code title={image.digest}>{shortDigest(image.digest)}</code>
                    </td>
                    <td class="counts">{bytes(image.sizeBytes)}</td>
                    <td>
                      <Time at={image.pushedAt} />
                    </td>
                    <td>
                      <Time at={image.lastPulledAt} />
                    </td>
                    <td>
                      {image.usedBy.map((u) => (
                        <div key={`${u.taskDefinition}/${u.container}`}>
                          {u.taskDefinition} <span class="quiet">({u.container})</span>
                          {u.status !== 'ACTIVE' ? <Badge status={u.status} /> : null}
                        </div>
                      ))}
                    </td>
                  </tr>
                ))}
              </Table>
            )}
          </Section>
        </>
      )}
    </Page>
  );
}
