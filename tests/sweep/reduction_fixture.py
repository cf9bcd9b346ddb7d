#!/usr/bin/env python3
"""Prints the expected values pasted into reduction_test.cpp, computed with SciPy/NumPy only
(not by proteus): run it with /usr/bin/python3 after changing the fixture."""
import numpy as np
from scipy import stats
nan=np.nan
a=np.array([1.2,0.7,2.5,1.9,nan,3.1,0.4,1.6]); sa=[0,0,0,0,0,0,2,0]
b=np.array([1.5,1.1,2.4,2.6,0.9,3.0,0.8,nan]); sb=[0,0,0,0,0,0,0,255]
ua=[i for i in range(8) if sa[i]==0 and np.isfinite(a[i])]
ub=[i for i in range(8) if sb[i]==0 and np.isfinite(b[i])]
def summ(x, level=0.95):
    n=len(x); m=x.mean(); sd=x.std(ddof=1); se=sd/np.sqrt(n); t=stats.t.ppf((1+level)/2,n-1)
    return n,m,sd,se,m-t*se,m+t*se
xa=a[ua]; xb=b[ub]
print("A", ["%.17g"%v for v in summ(xa)])
print("B", ["%.17g"%v for v in summ(xb)])
# tail of B (P&L): losses -x, type-7 q at .95, cvar mean of L>=var
L=-xb; var=np.quantile(L,0.95); cvar=L[L>=var].mean()
print("B var cvar", "%.17g %.17g"%(var,cvar), "quantiles", ["%.17g"%q for q in np.quantile(xb,[0.01,0.05,0.25,0.5,0.75,0.95,0.99])])
var1=np.quantile(L,0.99); print("B var_1 cvar_1", "%.17g %.17g"%(var1, L[L>=var1].mean()))
# B as a loss metric (a drawdown): the losses are the values themselves
for lev in (0.95, 0.99):
    v=np.quantile(xb,lev); print("B loss", lev, "%.17g %.17g"%(v, xb[xb>=v].mean()))
both=[i for i in range(8) if i in ua and i in ub]
ta=b[both]; tb=a[both]   # treated=B (cell 1), baseline=A (cell 0)
d=ta-tb; n=len(d)
r=stats.ttest_rel(ta,tb)
t=stats.t.ppf(0.975,n-1); md=d.mean(); se=d.std(ddof=1)/np.sqrt(n)
print("pairs",both,"n",n)
print("paired mean sd t p lo hi dz vrf", ["%.17g"%v for v in (md,d.std(ddof=1),r.statistic,r.pvalue,md-t*se,md+t*se,md/d.std(ddof=1),(ta.var(ddof=1)+tb.var(ddof=1))/d.var(ddof=1))])
w=stats.ttest_ind(ta,tb,equal_var=False)
va,vb=ta.var(ddof=1)/n,tb.var(ddof=1)/n; sew=np.sqrt(va+vb); dfw=(va+vb)**2/(va**2/(n-1)+vb**2/(n-1))
tw=stats.t.ppf(0.975,dfw); mdw=ta.mean()-tb.mean()
sp=np.sqrt(((n-1)*ta.var(ddof=1)+(n-1)*tb.var(ddof=1))/(2*n-2)); dd=mdw/sp
from scipy.special import gammaln
df=2*n-2; J=np.exp(gammaln(df/2)-np.log(np.sqrt(df/2))-gammaln((df-1)/2))
print("welch p lo hi df g", ["%.17g"%v for v in (w.pvalue,mdw-tw*sew,mdw+tw*sew,dfw,J*dd)])
# Wilson for k=5 of n=7 at 0.95 and at 0.9
for lv in (0.95,0.9):
  z=stats.norm.ppf((1+lv)/2); k=5; nn=7; p=k/nn
  c=(p+z*z/(2*nn))/(1+z*z/nn); h=z/(1+z*z/nn)*np.sqrt(p*(1-p)/nn+z*z/(4*nn*nn))
  print("wilson",lv,"%.17g %.17g"%(c-h,c+h))
res=[]
for s in range(5):
  bs=stats.bootstrap((d,),np.mean,n_resamples=20000,method='BCa',random_state=s,confidence_level=0.95)
  res.append((bs.confidence_interval.low,bs.confidence_interval.high))
print("bca", res)
print("d",d)
