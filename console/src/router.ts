import { useEffect, useState } from 'preact/hooks';

/** Hash routes (`#/runs/12`): the server serves one index, and every page has a link of its own. */
export interface Route {
  page: string;
  id: string | null;
}

function parse(hash: string): Route {
  const [page = 'health', id = null] = hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  return { page, id };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parse(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parse(location.hash));
    addEventListener('hashchange', onChange);
    // The hash may have changed between the first render and this effect (a link followed while
    // the page was loading): that change fired no event this listener could hear.
    onChange();
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function navigate(path: string): void {
  location.hash = `#/${path}`;
}
