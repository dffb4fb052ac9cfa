/** Guided walkthroughs: highlights the host page's elements an article's steps name, one at a time. */
export interface Walkthrough {
  articleId: string;
  title: string;
  steps: { title: string; selector: string; body?: string }[];
}

/** The attribute set on the host element being highlighted (hosts may style it; tests look for it). */
export const HIGHLIGHT_ATTR = 'data-deskmind-highlight';

function find(selector: string): HTMLElement | null {
  try {
    return document.querySelector<HTMLElement>(selector);
  } catch {
    return null; // an invalid selector in an article is a missing element, not a crash
  }
}

/** A walkthrough player drawing into `layer` (inside the widget's shadow root). */
export function createWalkthrough(layer: HTMLElement) {
  let current: Walkthrough | null = null;
  let index = 0;
  let target: HTMLElement | null = null;
  const ring = document.createElement('div');
  ring.className = 'walk-ring';
  const card = document.createElement('div');
  card.className = 'walk-card';
  card.setAttribute('role', 'dialog');
  card.setAttribute('aria-label', 'Walkthrough');

  const place = () => {
    if (!target) {
      ring.hidden = true;
      card.style.top = '';
      card.style.left = '';
      card.classList.add('floating');
      return;
    }
    const r = target.getBoundingClientRect();
    ring.hidden = false;
    Object.assign(ring.style, {
      top: `${r.top - 6}px`,
      left: `${r.left - 6}px`,
      width: `${r.width + 12}px`,
      height: `${r.height + 12}px`,
    });
    card.classList.remove('floating');
    const below = r.bottom + 12 + 160 < window.innerHeight;
    const top = below ? r.bottom + 12 : Math.max(8, r.top - 172);
    const left = Math.min(Math.max(8, r.left), window.innerWidth - 308);
    Object.assign(card.style, { top: `${top}px`, left: `${left}px` });
  };

  const clear = () => {
    target?.removeAttribute(HIGHLIGHT_ATTR);
    target = null;
  };

  const show = () => {
    if (!current) return;
    clear();
    const step = current.steps[index]!;
    target = find(step.selector);
    target?.setAttribute(HIGHLIGHT_ATTR, 'true');
    target?.scrollIntoView({ block: 'center', behavior: 'auto' });
    card.replaceChildren();
    const count = document.createElement('p');
    count.className = 'walk-count';
    count.textContent = `Step ${index + 1} of ${current.steps.length} · ${current.title}`;
    const h = document.createElement('h3');
    h.textContent = step.title;
    card.append(count, h);
    if (step.body) {
      const p = document.createElement('p');
      p.textContent = step.body;
      card.append(p);
    }
    if (!target) {
      const p = document.createElement('p');
      p.className = 'walk-missing';
      p.textContent = 'This part is not on the current page.';
      card.append(p);
    }
    const nav = document.createElement('div');
    nav.className = 'walk-nav';
    const last = index === current.steps.length - 1;
    nav.append(
      button('Back', '', () => go(-1), index === 0),
      button(last ? 'Done' : 'Next', '', () => (last ? stop() : go(1))),
      button('Close', '', stop),
    );
    card.append(nav);
    place();
    (nav.children[1] as HTMLButtonElement).focus();
  };

  const go = (delta: number) => {
    if (!current) return;
    index = Math.min(Math.max(0, index + delta), current.steps.length - 1);
    show();
  };

  const onMove = () => place();
  const onKey = (e: KeyboardEvent) => {
    if (!current) return;
    if (e.key === 'Escape') stop();
    else if (e.key === 'ArrowRight') go(1);
    else if (e.key === 'ArrowLeft') go(-1);
  };

  function stop() {
    clear();
    current = null;
    ring.remove();
    card.remove();
    window.removeEventListener('scroll', onMove, true);
    window.removeEventListener('resize', onMove);
    document.removeEventListener('keydown', onKey);
  }

  return {
    start(w: Walkthrough) {
      if (!w.steps.length) return;
      stop();
      current = w;
      index = 0;
      layer.append(ring, card);
      window.addEventListener('scroll', onMove, true);
      window.addEventListener('resize', onMove);
      document.addEventListener('keydown', onKey);
      show();
    },
    stop,
    get step() {
      return current ? index : -1;
    },
  };
}

/** A button of the widget's own UI. */
export function button(text: string, cls: string, onClick: () => void, disabled = false): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  if (cls) b.className = cls;
  b.textContent = text;
  b.disabled = disabled;
  b.addEventListener('click', onClick);
  return b;
}
