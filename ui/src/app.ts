// app.ts — the wizard's controller (the `Ctx` the steps get, ctx.ts): holds the state, the session and the run
// area, loads the engine's field schema once at start, renders the shell (toolbar, the steps of the registry in
// steps/index.ts, the current step, Back/Next), validates with the backend as the user types, keeps the window
// title, and runs the file commands (New/Open/Save/Save As/Recent) with the OS's native file dialogs (one at a
// time; cancelling one changes nothing). The toolbar also opens the app-wide Trusted release signers… dialog
// (trust-dialog.ts).

import type { Backend } from './backend.js';
import type { Ctx, Session } from './ctx.js';
import { el, showProblems } from './dom.js';
import { useFieldSchema } from './field-schema.js';
import { openProjectPick, saveProjectPick } from './file-picks.js';
import { lang, langFromLocale, setLang, t, type Lang } from './i18n.js';
import { countByStep, hasErrors, stepOfField } from './problems.js';
import { RunArea } from './run-area.js';
import { openTrustDialog } from './trust-dialog.js';
import { bootstrapControllersToSave, effectiveMode, initialState, isDirty, setField, windowTitle, type WizardState } from './state.js';
import { nextStep, previousStep, stepIndex, stepOf, STEPS } from './steps/index.js';
import type { FieldStep, Opened, PickRequest, ProjectDraft, Release, Review, StepId } from './types.js';

/** Where the user's language choice is remembered (the OS locale decides until they switch). */
const LANG_KEY = 'kafka-wizard.lang';

export class App implements Ctx {
  state: WizardState;
  session: Session = { password: '', keyPassphrase: '', becomePassword: '', installJava: false, recent: [] };
  readonly run = new RunArea();
  review: Review | null = null;
  releases: Release[] = [];
  private validateTimer: ReturnType<typeof setTimeout> | null = null;
  private validationSeq = 0;
  /** A native file dialog is open (it is not modal to the window everywhere: GTK's is a separate window). */
  private picking = false;
  private stepRoot!: HTMLElement;
  private nav!: HTMLElement;
  private toast!: HTMLElement;

  constructor(public backend: Backend, private root: HTMLElement, draft: ProjectDraft) {
    this.state = initialState(draft);
  }

  async start(): Promise<void> {
    const chosen = localStorage.getItem(LANG_KEY);
    setLang(chosen === 'en' || chosen === 'ko' ? chosen : langFromLocale((await this.backend.locale().catch(() => null)) ?? navigator.language));
    this.releases = await this.backend.releases();
    let schemaError: string | null = null;
    useFieldSchema(await this.backend.fieldSchema().catch((e) => {
      schemaError = (e as { message?: string }).message ?? String(e);
      return [];
    }));
    this.session.recent = await this.backend.recentProjects().catch(() => []);
    document.addEventListener('keydown', (e) => this.onKey(e));
    this.renderShell();
    // without the schema the wizard still works, only without defaults shown and with every problem on Review
    if (schemaError) this.notify(schemaError, false);
    const startup = await this.backend.startupProject().catch(() => null);
    if (startup) await this.fileOpen(startup);
    await this.validateNow();
    document.body.dataset.ready = '1';
  }

  // ---- state changes ------------------------------------------------------------------------------------------
  update(draft: ProjectDraft, rerender = false): void {
    this.state = { ...this.state, draft };
    this.review = null;
    if (rerender) this.rerender();
    this.scheduleValidation();
    void this.backend.setTitle(windowTitle(this.state, t('file.untitled')));
  }

  private scheduleValidation(): void {
    if (this.validateTimer) clearTimeout(this.validateTimer);
    this.validateTimer = setTimeout(() => void this.validateNow(), 150);
  }

  async validateNow(): Promise<void> {
    const seq = ++this.validationSeq;
    const problems = await this.backend.validate(this.state.draft).catch((e) => {
      const message: string = e.message ?? String(e);
      return [{ severity: 'error' as const, field: '', message, message_ko: message }];
    });
    if (seq !== this.validationSeq) return;
    const blockedBefore = hasErrors(this.state.problems);
    this.state = { ...this.state, problems };
    // steps that act on the cluster (Install, Manage) enable their buttons only for a valid project: re-render them
    // when that changes
    if (blockedBefore !== hasErrors(problems) && stepOf(this.state.step).actsOnCluster) this.rerender();
    else this.applyProblems();
    void this.backend.setTitle(windowTitle(this.state, t('file.untitled')));
    document.body.dataset.validated = String(seq);
  }

  private applyProblems(): void {
    const step = stepOf(this.state.step);
    const summary = this.stepRoot.querySelector<HTMLElement>('#step-problems');
    showProblems(this.stepRoot, this.state.problems, summary, (p) => stepOfField(p.field) === step.id || step.allProblems === true);
    const counts = countByStep(this.state.problems);
    this.nav.querySelectorAll<HTMLElement>('[data-step]').forEach((b) => {
      const c = counts.get(b.dataset.step as FieldStep);
      const badge = b.querySelector('.badge')!;
      badge.textContent = c ? String(c.errors || c.warnings) : '';
      badge.className = `badge ${c?.errors ? 'error' : c?.warnings ? 'warning' : ''}`;
    });
    const status = document.getElementById('problem-count');
    if (status) {
      const e = this.state.problems.filter((p) => p.severity === 'error').length;
      status.textContent = t('problems.count', { e, w: this.state.problems.length - e });
    }
  }

  go(step: StepId): void {
    if (step !== this.state.step) stepOf(step).enter?.();
    this.state = { ...this.state, step };
    this.rerender();
    this.stepRoot.focus({ preventScroll: true });
  }

  notify(text: string, ok = true): void {
    this.toast.textContent = text;
    this.toast.className = `toast ${ok ? 'ok' : 'error'}`;
    this.toast.hidden = false;
    setTimeout(() => (this.toast.hidden = true), 4000);
  }

  // ---- dialogs ------------------------------------------------------------------------------------------------
  private dialog(body: HTMLElement[], buttons: [string, string][]): Promise<string> {
    return new Promise((resolve) => {
      const close = (v: string) => { overlay.remove(); resolve(v); };
      const overlay = el('div', { class: 'overlay', role: 'dialog', 'aria-modal': 'true' },
        el('div', { class: 'dialog' }, ...body, el('div', { class: 'buttons' }, buttons.map(([id, label], i) =>
          el('button', { id: `dialog-${id}`, class: i === 0 ? 'primary' : '', onclick: () => close(id) }, label)))));
      overlay.addEventListener('keydown', (e) => {
        if (e.key === 'Escape') close('cancel');
        if (e.key === 'Enter') { e.preventDefault(); e.stopPropagation(); close(buttons[0][0]); }
      });
      document.body.append(overlay);
      overlay.querySelector('button')?.focus();
    });
  }

  confirm(question: string): Promise<boolean> {
    return this.dialog([el('p', {}, question)], [['yes', t('manage.yes')], ['no', t('manage.no')]]).then((v) => v === 'yes');
  }

  async pickPath(request: PickRequest): Promise<string | null> {
    if (this.picking) return null;
    this.picking = true;
    document.body.dataset.picking = request.mode;
    try {
      return await this.backend.pickPath(request);
    } catch (e) {
      this.notify((e as { message: string }).message, false);
      return null;
    } finally {
      this.picking = false;
      delete document.body.dataset.picking;
    }
  }

  // ---- files --------------------------------------------------------------------------------------------------
  private async discardOk(): Promise<boolean> {
    return !isDirty(this.state) || this.confirm(t('file.discard'));
  }

  async fileNew(): Promise<void> {
    if (!(await this.discardOk())) return;
    this.loadDraft(await this.backend.newProject(), null);
  }

  /**
   * A KRaft project needs its cluster id before Review, Export or Install use it: like the CLI, generate one once,
   * put it into the project (Save keeps it) and say so. ZooKeeper projects and set ids are left alone.
   */
  async ensureClusterId(): Promise<void> {
    const d = this.state.draft;
    const release = this.releases.find((r) => r.version === d.kafka.version);
    if (effectiveMode(d, release?.default_mode ?? null) !== 'kraft') return;
    const bootstrap = bootstrapControllersToSave(d);
    if (bootstrap) {
      this.update(setField(this.state.draft, 'kraft.bootstrap_controllers', bootstrap));
      await this.validateNow();
    }
    if (this.state.draft.kraft?.cluster_id) return;
    const id = await this.backend.newClusterId();
    this.update(setField(this.state.draft, 'kraft.cluster_id', id));
    await this.validateNow();
    this.notify(t('coord.idGenerated', { id }));
  }

  /** Starts from an example shipped with the app: an unsaved project (Save asks where). */
  async fileExample(name: string): Promise<void> {
    if (!(await this.discardOk())) return;
    try {
      const draft = await this.backend.exampleProject(name);
      this.loadDraft(draft, null);
      this.state = { ...this.state, savedJson: '' };
      this.notify(t('file.exampleLoaded'));
      void this.backend.setTitle(windowTitle(this.state, t('file.untitled')));
    } catch (e) {
      this.notify((e as { message: string }).message, false);
    }
  }

  /** "This machine": the one-node KRaft project `kafka-wizard init --here` writes, unsaved (Save asks where). */
  async fileThisMachine(): Promise<void> {
    if (!(await this.discardOk())) return;
    try {
      const draft = await this.backend.thisMachineProject();
      this.loadDraft(draft, null);
      this.state = { ...this.state, savedJson: '' };
      this.notify(t('file.thisMachineLoaded', { version: draft.kafka.version ?? '' }));
      void this.backend.setTitle(windowTitle(this.state, t('file.untitled')));
    } catch (e) {
      this.notify((e as { message: string }).message, false);
    }
  }

  async fileOpen(path?: string): Promise<void> {
    if (this.picking || !(await this.discardOk())) return;
    const p = path ?? (await this.pickPath(openProjectPick(this.state.path, this.session.recent)));
    if (!p) return;
    try {
      const opened = await this.backend.openProject(p);
      this.session.recent = opened.recent;
      this.loadDraft(opened.draft, opened.path);
      this.notify(t('file.opened', { path: opened.path }));
    } catch (e) {
      this.notify((e as { message: string }).message, false);
    }
  }

  async fileSave(saveAs = false): Promise<void> {
    const p = !saveAs && this.state.path ? this.state.path : await this.pickPath(saveProjectPick(this.state.draft, this.state.path, this.session.recent));
    if (!p) return;
    try {
      const [path, recent] = await this.backend.saveProject(p, this.state.draft).catch(async (e: { code?: string }) => {
        // a file that is not a project is replaced only when the user says so
        if (e.code !== 'not_a_project_file' || !(await this.confirm(t('file.replaceOther', { path: p })))) throw e;
        return this.backend.saveProject(p, this.state.draft, true);
      });
      this.session.recent = recent;
      this.state = { ...this.state, path, savedJson: JSON.stringify(this.state.draft) };
      this.notify(t('file.saved', { path }));
      this.renderToolbar();
      void this.backend.setTitle(windowTitle(this.state, t('file.untitled')));
    } catch (e) {
      this.notify((e as { message: string }).message, false);
    }
  }

  reload(opened: Opened): void {
    this.session.recent = opened.recent;
    this.state = { ...initialState(opened.draft, opened.path), step: this.state.step };
    this.review = null;
    this.rerender();
    this.renderToolbar();
    void this.backend.setTitle(windowTitle(this.state, t('file.untitled')));
    void this.validateNow();
  }

  private loadDraft(draft: ProjectDraft, path: string | null): void {
    const step = this.state.step;
    this.state = { ...initialState(draft, path), step: stepOf(step).actsOnCluster ? STEPS[0].id : step };
    this.review = null;
    this.run.reset();
    for (const s of STEPS) s.reset?.();
    this.rerender();
    this.renderToolbar();
    void this.validateNow();
  }

  // ---- rendering ----------------------------------------------------------------------------------------------
  private toolbar!: HTMLElement;

  private renderToolbar(): void {
    const langSel = el('select', { id: 'lang', 'aria-label': t('lang'), onchange: (e: Event) => { const l = (e.target as HTMLSelectElement).value as Lang; setLang(l); localStorage.setItem(LANG_KEY, l); this.renderShell(); } },
      el('option', { value: 'en' }, 'English'), el('option', { value: 'ko' }, '한국어'));
    langSel.value = lang();
    const recent = el('select', { id: 'recent', 'aria-label': t('file.recent'), onchange: (e: Event) => { const v = (e.target as HTMLSelectElement).value; if (v) void this.fileOpen(v); } },
      el('option', { value: '' }, this.session.recent.length ? `${t('file.recent')}…` : t('file.noRecent')),
      this.session.recent.map((p) => el('option', { value: p }, p)));
    this.toolbar.replaceChildren(
      el('strong', { class: 'brand' }, t('app.title')),
      el('button', { id: 'file-new', onclick: () => void this.fileNew() }, t('file.new')),
      el('button', { id: 'file-open', title: 'Ctrl+O', onclick: () => void this.fileOpen() }, t('file.open')),
      el('button', { id: 'file-save', title: 'Ctrl+S', onclick: () => void this.fileSave(false) }, t('file.save')),
      el('button', { id: 'file-save-as', title: 'Ctrl+Shift+S', onclick: () => void this.fileSave(true) }, t('file.saveAs')),
      recent,
      el('span', { class: 'spacer' }),
      el('span', { id: 'project-path', class: 'muted' }, this.state.path ?? t('file.untitled')),
      el('button', { id: 'trust-open', onclick: () => void openTrustDialog(this) }, t('trust.button')),
      langSel,
    );
  }

  renderShell(): void {
    this.toolbar = el('header', { class: 'toolbar' });
    this.nav = el('nav', { class: 'steps', 'aria-label': 'steps' },
      STEPS.map((s, i) => el('button', { 'data-step': s.id, onclick: () => this.go(s.id) }, el('span', { class: 'num' }, String(i + 1)), t(s.title), el('span', { class: 'badge' }))));
    this.stepRoot = el('main', { id: 'step', tabindex: '-1' });
    this.toast = el('div', { id: 'toast', class: 'toast', hidden: true, role: 'status' });
    this.root.replaceChildren(this.toolbar, el('div', { class: 'body' }, this.nav, this.stepRoot), this.toast);
    this.renderToolbar();
    this.rerender();
  }

  rerender(): void {
    const step = this.state.step;
    this.nav.querySelectorAll<HTMLElement>('[data-step]').forEach((b) => b.classList.toggle('current', b.dataset.step === step));
    const body = stepOf(step).render(this);
    const i = stepIndex(step);
    const footer = el('footer', { class: 'stepnav' },
      el('button', { id: 'back', onclick: () => this.go(previousStep(step)), disabled: i === 0 }, `← ${t('nav.back')}`),
      el('span', { id: 'problem-count', class: 'muted' }),
      el('small', { class: 'muted' }, t('nav.hint')),
      el('button', { id: 'next', class: 'primary', onclick: () => this.go(nextStep(step)), disabled: i === STEPS.length - 1 }, `${t('nav.next')} →`));
    this.stepRoot.replaceChildren(el('h2', {}, `${i + 1}. ${t(stepOf(step).title)}`), body, el('ul', { id: 'step-problems', class: 'problems', hidden: true }), footer);
    this.stepRoot.dataset.step = step;
    this.applyProblems();
  }

  private onKey(e: KeyboardEvent): void {
    if (document.querySelector('.overlay')) return;
    const target = e.target as HTMLElement;
    const typing = target.tagName === 'TEXTAREA' || target.tagName === 'BUTTON' || target.tagName === 'SELECT' || target.tagName === 'A';
    if (e.key === 'Enter' && !typing && !e.altKey && !e.ctrlKey) {
      e.preventDefault();
      this.go(nextStep(this.state.step));
    } else if (e.altKey && e.key === 'ArrowLeft') {
      e.preventDefault();
      this.go(previousStep(this.state.step));
    } else if (e.altKey && e.key === 'ArrowRight') {
      e.preventDefault();
      this.go(nextStep(this.state.step));
    } else if (e.ctrlKey && e.key.toLowerCase() === 's') {
      e.preventDefault();
      void this.fileSave(e.shiftKey);
    } else if (e.ctrlKey && e.key.toLowerCase() === 'o') {
      e.preventDefault();
      void this.fileOpen();
    }
  }
}
