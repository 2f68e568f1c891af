package io.clickflow.attribution;

/** Keyed state of a page view waiting for the watermark: the view and the best click found so far. */
public class PendingPageView {
    public PageView view;
    /** Null while no eligible click is known. */
    public AdClick bestClick;

    public PendingPageView() {}

    public PendingPageView(PageView view, AdClick bestClick) {
        this.view = view;
        this.bestClick = bestClick;
    }
}
