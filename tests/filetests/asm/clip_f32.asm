# clip_f32 (array(float32, 1d, C), array(float32, 1d, C), np.float32, np.float32)
  pushq %rbp
  unwind PushFrameRegs { offset_upward_to_caller_sp: 16 }
  movq %rsp, %rbp
  unwind DefineNewFrame { offset_upward_to_caller_sp: 16, offset_downward_to_clobbers: 16 }
  subq $0x10, %rsp
  movq %rbx, (%rsp)
  unwind SaveReg { clobber_offset: 0, reg: p3i }
block0:
  movq (%rdi), %r9
  movq 8(%rdi), %r8
  movq 0x10(%rdi), %rsi
  movq 0x18(%rdi), %r11
  movq 0x20(%rdi), %rax
  movq 0x28(%rdi), %rax
  movq 0x30(%rdi), %r10
  movq 0x38(%rdi), %rax
  vmovss 0x40(%rdi), %xmm0
  vmovss 0x48(%rdi), %xmm0
  jmp     label1
block1:
  movl 8(%rdx), %eax
  cmpl %eax, %ecx
  jnbe    label20; j label2
block2:
  jmp     label3
block3:
  jmp     label4
block4:
  movq 0x10(%rdi), %rax
  movq %rax, %rbx
  addq $0x0, %rbx
  seto %cl
  cmpq %r10, %rbx
  setg %r10b
  orl %ecx, %r10d
  testb %r10b, %r10b
  jnz     label19; j label5
block5:
  movq 0x20(%rdi), %rsi
  movq 0x30(%rdi), %rcx
  leaq (%rsi, %rcx, 4), %rcx
  movq (%rdi), %r8
  cmpq %r8, %rcx
  setbe %r10b
  leaq (%r8, %rax, 4), %rcx
  cmpq %rsi, %rcx
  setbe %cl
  orl %ecx, %r10d
  uninit  %rcx
  xorq %rcx, %rcx
  leaq -8(%rax), %r11
  movabsq $<address>, %r9
  cmpq (%rip), %rax
  cmovgeq %r11, %r9
  vmovss 0x48(%rdi), %xmm0
  vbroadcastss %xmm0, %xmm2
  vmovss 0x40(%rdi), %xmm1
  vbroadcastss %xmm1, %xmm3
  testb %r10b, %r10b
  jnz     label6; j label7
block6:
  jmp     label8
block7:
  jmp     label11
block8:
  cmpq %r9, %rcx
  jnle    label9; j label10
block9:
  jmp     label11
block10:
  vmovups (%r8, %rcx, 4), %xmm4
  uninit  %xmm5
  vpcmpeqd %xmm5, %xmm5, %xmm5
  vpsrld $0x1, %xmm5, %xmm5
  vandps %xmm5, %xmm4, %xmm4
  vmaxps %xmm4, %xmm3, %xmm4
  vminps %xmm4, %xmm2, %xmm4
  vmovups %xmm4, (%rsi, %rcx, 4)
  leaq 4(%rcx), %r10
  vmovups (%r8, %r10, 4), %xmm4
  uninit  %xmm5
  vpcmpeqd %xmm5, %xmm5, %xmm5
  vpsrld $0x1, %xmm5, %xmm5
  vandps %xmm5, %xmm4, %xmm4
  vmaxps %xmm4, %xmm3, %xmm4
  vminps %xmm4, %xmm2, %xmm4
  vmovups %xmm4, (%rsi, %r10, 4)
  leaq 8(%rcx), %rcx
  jmp     label8
block11:
  jmp     label12
block12:
  cmpq %rax, %rcx
  jnl     label17; j label13
block13:
  vmovss (%r8, %rcx, 4), %xmm2
  movl $0x7fffffff, %r9d
  vmovd %r9d, %xmm3
  vandps %xmm3, %xmm2, %xmm2
  vmaxss %xmm2, %xmm1, %xmm2
  vminss %xmm2, %xmm0, %xmm2
  vmovss %xmm2, (%rsi, %rcx, 4)
  jmp     label14
block14:
  movabsq $<address>, %r9
  movl (%r9), %r9d
  leaq 1(%rcx), %rcx
  testl %r9d, %r9d
  jnz     label16; j label15
block15:
  jmp     label12
block17:
  jmp     label18
block18:
  uninit  %rax
  xorl %eax, %eax
  movq (%rsp), %rbx
  addq $0x10, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
block16:
  movq (%rdi), %rsi
  movq 8(%rdi), %r8
  movq 0x10(%rdi), %r9
  movq 0x18(%rdi), %r10
  movq %rsi, 0x10(%rdx)
  movq %r8, 0x18(%rdx)
  movq %r9, 0x20(%rdx)
  movq %r10, 0x28(%rdx)
  movq 0x20(%rdi), %rsi
  movq 0x28(%rdi), %r8
  movq 0x30(%rdi), %r9
  movq 0x38(%rdi), %r10
  movq %rsi, 0x30(%rdx)
  movq %r8, 0x38(%rdx)
  movq %r9, 0x40(%rdx)
  movq %r10, 0x48(%rdx)
  vmovss 0x40(%rdi), %xmm2
  vmovss %xmm2, 0x50(%rdx)
  vmovss 0x48(%rdi), %xmm3
  vmovss %xmm3, 0x58(%rdx)
  movq %rax, 0x60(%rdx)
  movq $0x1, 0x68(%rdx)
  movq %rcx, 0x70(%rdx)
  movl $0x0, (%rdx)
  movl $0x2, %eax
  movq (%rsp), %rbx
  addq $0x10, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
block19:
  movq %r9, 0x10(%rdx)
  movq %r8, 0x18(%rdx)
  movq %rsi, 0x20(%rdx)
  movq %r11, 0x28(%rdx)
  movq 0x20(%rdi), %rcx
  movq 0x28(%rdi), %rsi
  movq 0x30(%rdi), %r8
  movq 0x38(%rdi), %r9
  movq %rcx, 0x30(%rdx)
  movq %rsi, 0x38(%rdx)
  movq %r8, 0x40(%rdx)
  movq %r9, 0x48(%rdx)
  vmovss 0x40(%rdi), %xmm0
  vmovss %xmm0, 0x50(%rdx)
  vmovss 0x48(%rdi), %xmm0
  vmovss %xmm0, 0x58(%rdx)
  movq %rax, 0x60(%rdx)
  movq $0x1, 0x68(%rdx)
  movq $0x0, 0x70(%rdx)
  movl $0x1, (%rdx)
  movl $0x2, %eax
  movq (%rsp), %rbx
  addq $0x10, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
block20:
  movq %r9, 0x10(%rdx)
  movq %r8, 0x18(%rdx)
  movq %rsi, 0x20(%rdx)
  movq %r11, 0x28(%rdx)
  movq 0x20(%rdi), %rax
  movq 0x28(%rdi), %rcx
  movq 0x30(%rdi), %rsi
  movq 0x38(%rdi), %r8
  movq %rax, 0x30(%rdx)
  movq %rcx, 0x38(%rdx)
  movq %rsi, 0x40(%rdx)
  movq %r8, 0x48(%rdx)
  vmovss 0x40(%rdi), %xmm0
  vmovss %xmm0, 0x50(%rdx)
  vmovss 0x48(%rdi), %xmm0
  vmovss %xmm0, 0x58(%rdx)
  movl $0x3, (%rdx)
  movl $0x2, %eax
  movq (%rsp), %rbx
  addq $0x10, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
