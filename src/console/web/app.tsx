/** The console's frame: the navigation bar, and the page the location names. */
import { useEffect, useState } from 'preact/hooks';
import { logOut } from './live.js';
import { onNavigate } from './navigation.js';
import { ImageRepositoryPage, ImagesPage } from './pages/images.js';
import { RepositoriesPage, RepositoryPage, RunPage } from './pages/pipelines.js';
import { ServicePage, ServicesPage, TaskPage } from './pages/services.js';
import { RolePage, TrustPage } from './pages/trust.js';
import { parseRoute, paths, type Route } from './routes.js';

const SECTIONS: { label: string; href: string; pages: Route['page'][] }[] = [
  { label: 'Services', href: paths.services(), pages: ['services', 'service', 'task'] },
  { label: 'Pipelines', href: paths.repositories(), pages: ['repositories', 'repository', 'run'] },
  { label: 'Trust', href: paths.trust(), pages: ['trust', 'role'] },
  { label: 'Images', href: paths.images(), pages: ['images', 'image'] },
];

export function App() {
  const [route, setRoute] = useState<Route>(() => parseRoute(location.pathname, location.search));
  useEffect(() => onNavigate(() => setRoute(parseRoute(location.pathname, location.search))), []);
  return (
    <>
      <header class="bar">
        <a class="brand" href={paths.services()}>
          dockyard
        </a>
        <nav aria-label="Sections">
          {SECTIONS.map((s) => (
            <a key={s.href} href={s.href} aria-current={s.pages.includes(route.page) ? 'page' : undefined}>
              {s.label}
            </a>
          ))}
        </nav>
        <button type="button" class="link logout" onClick={() => void logOut()}>
          Log out
        </button>
      </header>
      <PageFor route={route} />
    </>
  );
}

function PageFor(props: { route: Route }) {
  const route = props.route;
  switch (route.page) {
    case 'services':
      return <ServicesPage />;
    case 'service':
      return <ServicePage key={`${route.cluster}/${route.name}`} cluster={route.cluster} name={route.name} />;
    case 'task':
      return <TaskPage key={route.id} cluster={route.cluster} id={route.id} />;
    case 'repositories':
      return <RepositoriesPage />;
    case 'repository':
      return <RepositoryPage key={route.name} name={route.name} />;
    case 'run':
      return <RunPage key={`${route.id}/${route.attempt ?? ''}`} {...route} />;
    case 'trust':
      return <TrustPage />;
    case 'role':
      return <RolePage key={route.name} name={route.name} />;
    case 'images':
      return <ImagesPage />;
    case 'image':
      return <ImageRepositoryPage key={route.name} name={route.name} />;
    case 'missing':
      return (
        <main>
          <h1>Not found</h1>
          <p>
            The console has no page at <code>{route.path}</code>. <a href={paths.services()}>Services</a>
          </p>
        </main>
      );
  }
}
